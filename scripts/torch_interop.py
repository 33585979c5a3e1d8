#!/usr/bin/env python3
"""PyTorch's side of the interop tests and notebook 11 (src/interop/torch.ts is ours).

Builds nn.RNN/LSTM/GRU (batch_first) + nn.Linear from the "torch" metadata of a safetensors
file, with a small safetensors reader and writer of its own (no extra packages).

  forward WEIGHTS INPUTS OUT     load WEIGHTS (strict), run it on INPUTS' "x" [B, T, D],
                                 write OUT with "y" ([B, T, O] or [B, O])
  train CONFIG WEIGHTS INPUTS OUT
                                 make the module CONFIG (JSON) describes with PyTorch's own init
                                 (seed 0), take 20 Adam steps on INPUTS' "x" toward random
                                 targets, save WEIGHTS (with the config) and OUT as forward does
"""
import json
import struct
import sys

import torch
from torch import nn

DTYPES = {"F32": torch.float32, "F64": torch.float64}


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    body = data[8 + n :]
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        t = torch.frombuffer(bytearray(body[b:end]), dtype=DTYPES[e["dtype"]])
        out[name] = t.reshape(e["shape"]).float()
    return out, meta


def write(path, tensors, meta):
    header, chunks, at = {"__metadata__": meta}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous()
        raw = t.numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [at, at + len(raw)]}
        chunks.append(raw)
        at += len(raw)
    h = json.dumps(header).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))


class Net(nn.Module):
    def __init__(self, c):
        super().__init__()
        kind = getattr(nn, c["module"])
        extra = {"nonlinearity": c["nonlinearity"]} if c["module"] == "RNN" else {}
        self.rnn = kind(
            c["input_size"],
            c["hidden_size"],
            num_layers=c["num_layers"],
            bidirectional=c["bidirectional"],
            batch_first=True,
            **extra,
        )
        dirs = 2 if c["bidirectional"] else 1
        self.head = nn.Linear(c["hidden_size"] * dirs, c["output_size"])
        self.output = c["output"]

    def forward(self, x):
        y, _ = self.rnn(x)  # [B, T, H·dirs]
        if self.output == "last":
            y = y[:, -1]
        elif self.output == "mean":
            y = y.mean(1)
        return self.head(y)


def forward(weights, inputs, out):
    w, meta = read(weights)
    net = Net(json.loads(meta["torch"]))
    net.load_state_dict(w, strict=True)
    x = read(inputs)[0]["x"]
    with torch.no_grad():
        write(out, {"y": net(x)}, {})


def train(config, weights, inputs, out):
    c = json.loads(config)
    torch.manual_seed(0)
    net = Net(c)
    x = read(inputs)[0]["x"]
    target = torch.randn_like(net(x))
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(20):
        opt.zero_grad()
        loss = ((net(x) - target) ** 2).mean()
        loss.backward()
        opt.step()
    write(weights, net.state_dict(), {"format": "pt", "torch": json.dumps(c)})
    with torch.no_grad():
        write(out, {"y": net(x)}, {})


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"forward": forward, "train": train}[cmd](*args)
