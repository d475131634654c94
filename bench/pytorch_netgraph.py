"""Times a cnas NetGraph in PyTorch on the CPU: the baseline of bench/train-throughput.ts.

Reads {"graph": <NetGraph JSON>, "batch": 64, "train_steps": N, "infer_runs": N, "threads": 2} on stdin and
prints {"train_img_s", "infer_b1_img_s", "infer_b64_img_s", "torch"} on stdout. The network is built from the
same NetGraph the TypeScript side runs, layer by layer, so both time exactly the same architecture.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def activation(x, act):
    if act == "relu":
        return F.relu(x)
    if act == "relu6":
        return F.relu6(x)
    if act == "hswish":
        return x * F.relu6(x + 3.0) / 6.0
    if act == "hsigmoid":
        return F.relu6(x + 3.0) / 6.0
    return x


class Conv(nn.Module):
    def __init__(self, layer):
        super().__init__()
        p = layer["padding"]
        self.pad = (p["left"], p["right"], p["top"], p["bottom"])
        symmetric = p["left"] == p["right"] == p["top"] == p["bottom"]
        self.conv = nn.Conv2d(layer["cin"], layer["cout"], layer["kernel"], layer["stride"],
                              p["top"] if symmetric else 0, groups=layer["groups"], bias=layer["bias"])
        self.explicit = not symmetric
        self.bn = nn.BatchNorm2d(layer["cout"]) if layer["batchNorm"] else None
        self.act = layer["act"]

    def forward(self, x):
        if self.explicit:
            x = F.pad(x, self.pad)
        x = self.conv(x)
        if self.bn is not None:
            x = self.bn(x)
        return activation(x, self.act)


class SqueezeExcite(nn.Module):
    def __init__(self, layer):
        super().__init__()
        self.reduce = nn.Conv2d(layer["channels"], layer["reduced"], 1)
        self.expand = nn.Conv2d(layer["reduced"], layer["channels"], 1)

    def forward(self, x):
        y = x.mean((2, 3), keepdim=True)
        y = activation(self.expand(F.relu(self.reduce(y))), "hsigmoid")
        return x * y


class NetGraphModule(nn.Module):
    def __init__(self, graph):
        super().__init__()
        self.graph = graph
        self.mods = nn.ModuleDict()
        for i, layer in enumerate(graph["layers"]):
            if layer["kind"] == "conv":
                self.mods[str(i)] = Conv(layer)
            elif layer["kind"] == "se":
                self.mods[str(i)] = SqueezeExcite(layer)
            elif layer["kind"] == "linear":
                self.mods[str(i)] = nn.Linear(layer["cin"], layer["cout"], bias=layer["bias"])

    def forward(self, x):
        t = {self.graph["input"]: x}
        for i, layer in enumerate(self.graph["layers"]):
            kind = layer["kind"]
            if kind in ("conv", "se"):
                y = self.mods[str(i)](t[layer["input"]])
            elif kind == "linear":
                y = self.mods[str(i)](t[layer["input"]].flatten(1))
            elif kind == "add":
                a, b = layer["inputs"]
                y = t[a] + t[b]
            elif kind == "global_pool":
                y = t[layer["input"]].mean((2, 3), keepdim=True)
            elif kind == "max_pool":
                y = F.max_pool2d(t[layer["input"]], layer["size"])
            elif kind == "act":
                y = activation(t[layer["input"]], layer["act"])
            elif kind == "flatten":
                y = t[layer["input"]].flatten(1)
            else:
                raise ValueError("unknown layer kind " + kind)
            t[layer["output"]] = y
        return [t[e["output"]] for e in self.graph["exits"]]


def median_seconds(fn, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    spec = json.load(sys.stdin)
    torch.set_num_threads(spec.get("threads", 2))
    torch.manual_seed(0)
    graph = spec["graph"]
    batch = spec.get("batch", 64)
    res = graph["resolution"]
    model = NetGraphModule(graph).to(memory_format=torch.channels_last)
    optimiser = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, 3, res, res).to(memory_format=torch.channels_last)
    y = torch.randint(0, graph["classes"], (batch,))

    def train_step():
        optimiser.zero_grad()
        loss = F.cross_entropy(model(x)[-1], y)
        loss.backward()
        optimiser.step()

    model.train()
    for _ in range(3):
        train_step()
    train = median_seconds(train_step, spec.get("train_steps", 10))
    model.eval()
    x1 = x[:1].contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        for _ in range(5):
            model(x1)
        b1 = median_seconds(lambda: model(x1), spec.get("infer_runs", 50))
        b64 = median_seconds(lambda: model(x), max(3, spec.get("infer_runs", 50) // 5))
    print(json.dumps({"train_img_s": batch / train, "infer_b1_img_s": 1 / b1, "infer_b64_img_s": batch / b64, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
