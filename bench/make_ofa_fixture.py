"""Writes the fixtures of src/nn/ofa-import (test/fixtures/ofa/), with Debian's PyTorch:

    /usr/bin/python3 bench/make_ofa_fixture.py

- tiny_ofa_space.json: a narrow cnas space (2 stages, width 0.35, small base widths and choices);
- tiny_ofa.pth: an OFA MobileNetV3 supernet of that space with random values, saved by torch.save (zip format)
  as OFA's published checkpoints are read: {"state_dict": ...}. The modules below mirror only the naming and
  nesting of once-for-all's (ofa_mbv3.py, dynamic_op.py, dynamic_layers.py, utils/layers.py), so torch itself
  produces OFA's exact state-dict keys, PyTorch layouts and num_batches_tracked buffers;
- tiny_ofa_expected.json: a few tensors of it as PyTorch holds them (shape, row-major values with 9 significant
  digits, which round-trip float32), and the 3x3 depthwise filter OFA derives for blocks.1 through its kernel
  transforms, to check the conversion against;
- tiny_legacy.pth: a few tensors in torch's legacy (pre-1.6, non-zip) format: float64, float16 and int64
  storages, three views of one storage (offset, transposed strides) and an nn.Parameter (its storage keys are
  memory addresses, so this one file differs from run to run);
- tiny_deflated.pth: the same tensors in the zip format, repacked with deflate as zip tools may store them;
- malicious.pth: a zip checkpoint whose pickle calls os.system, written byte by byte (never unpickled here).
"""
import io
import json
import os
import struct
import zipfile
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "ofa")

SPACE = {
    "space": "mobilenetv3",
    "width_mult": 0.35,
    "base_widths": [16, 16, 24, 24, 48, 24],
    "strides": [2, 2],
    "activations": ["relu", "hswish"],
    "se": [False, True],
    "depths": [1],
    "kernels": [3, 5, 7],
    "expands": [1, 2],
    "lr": 32,
    "ur": 32,
}
CHECKPOINT_CLASSES = 12


def make_divisible(v, divisor=8):
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


# Dynamic ops hold their static op one level deeper than static layers do: `<op>.conv.conv.weight`, `.bn.bn.*`.
class DynamicConv2d(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 1, bias=False)


class DynamicSeparableConv2d(nn.Module):
    def __init__(self, channels, kernels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, max(kernels), groups=channels, bias=False)
        ks = sorted(kernels)
        for small, large in zip(ks, ks[1:]):
            self.register_parameter("%dto%d_matrix" % (large, small), nn.Parameter(torch.eye(small * small)))


class DynamicBatchNorm2d(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels)


class SEModule(nn.Module):
    def __init__(self, channels):
        super().__init__()
        mid = make_divisible(channels // 4)
        self.fc = nn.Sequential(OrderedDict([
            ("reduce", nn.Conv2d(channels, mid, 1, bias=True)),
            ("relu", nn.ReLU()),
            ("expand", nn.Conv2d(mid, channels, 1, bias=True)),
        ]))


class ConvLayer(nn.Module):
    def __init__(self, cin, cout, kernel, use_bn=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, bias=False)
        if use_bn:
            self.bn = nn.BatchNorm2d(cout)


class LinearLayer(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.linear = nn.Linear(cin, cout)


class MBConvLayer(nn.Module):
    """The static first block: expand 1, so no inverted bottleneck."""

    def __init__(self, cin, cout):
        super().__init__()
        self.depth_conv = nn.Sequential(OrderedDict([("conv", nn.Conv2d(cin, cin, 3, groups=cin, bias=False)), ("bn", nn.BatchNorm2d(cin))]))
        self.point_linear = nn.Sequential(OrderedDict([("conv", nn.Conv2d(cin, cout, 1, bias=False)), ("bn", nn.BatchNorm2d(cout))]))


class DynamicMBConvLayer(nn.Module):
    def __init__(self, cin, cout, kernels, expands, use_se):
        super().__init__()
        mid = make_divisible(round(cin * max(expands)))
        self.inverted_bottleneck = nn.Sequential(OrderedDict([("conv", DynamicConv2d(cin, mid)), ("bn", DynamicBatchNorm2d(mid)), ("act", nn.ReLU())]))
        self.depth_conv = nn.Sequential(OrderedDict([("conv", DynamicSeparableConv2d(mid, kernels)), ("bn", DynamicBatchNorm2d(mid)), ("act", nn.ReLU())]))
        if use_se:
            self.depth_conv.add_module("se", SEModule(mid))
        self.point_linear = nn.Sequential(OrderedDict([("conv", DynamicConv2d(mid, cout)), ("bn", DynamicBatchNorm2d(cout))]))


class ResidualBlock(nn.Module):
    def __init__(self, conv):
        super().__init__()
        self.conv = conv


class OFAMobileNetV3(nn.Module):
    def __init__(self, space, classes):
        super().__init__()
        widths = [make_divisible(w * space["width_mult"]) for w in space["base_widths"]]
        stages = len(space["strides"])
        self.first_conv = ConvLayer(3, widths[0], 3)
        blocks = [ResidualBlock(MBConvLayer(widths[0], widths[1]))]
        cin = widths[1]
        for stage in range(stages):
            for _ in range(max(space["depths"])):
                blocks.append(ResidualBlock(DynamicMBConvLayer(cin, widths[2 + stage], space["kernels"], space["expands"], space["se"][stage])))
                cin = widths[2 + stage]
        self.blocks = nn.ModuleList(blocks)
        self.final_expand_layer = ConvLayer(cin, widths[2 + stages], 1)
        self.feature_mix_layer = ConvLayer(widths[2 + stages], widths[3 + stages], 1, use_bn=False)
        self.classifier = LinearLayer(widths[3 + stages], classes)


def random_state_dict(model):
    gen = torch.Generator().manual_seed(7)
    state = model.state_dict()
    for key, value in state.items():
        if key.endswith("num_batches_tracked"):
            value.fill_(1234)
        elif key.endswith("running_var"):
            value.copy_(torch.rand(value.shape, generator=gen) + 0.5)
        else:
            value.copy_(torch.randn(value.shape, generator=gen))
    return state


def expected_entry(tensor):
    return {"shape": list(tensor.shape), "values": [float("%.9g" % v) for v in tensor.flatten().tolist()]}


def active_depthwise_filter(state, block, kernels, k):
    """OFA's DynamicSeparableConv2d.get_active_filter: from the largest kernel, take the centre of the next
    smaller size and mix each channel's flattened filter with F.linear(v, M), down to k."""
    prefix = "blocks.%d.conv.depth_conv.conv." % block
    f = state[prefix + "conv.weight"]
    sizes = sorted(kernels, reverse=True)
    for src, dst in zip(sizes, sizes[1:]):
        if src <= k:
            break
        start = (src - dst) // 2
        centre = f[:, :, start:start + dst, start:start + dst].reshape(-1, dst * dst)
        f = F.linear(centre, state[prefix + "%dto%d_matrix" % (src, dst)]).view(f.shape[0], 1, dst, dst)
    return f


def malicious_pickle():
    # PROTO 2; GLOBAL 'os system'; BINUNICODE 'echo owned'; TUPLE1; REDUCE; STOP
    command = b"echo owned"
    return b"\x80\x02" + b"cos\nsystem\n" + b"X" + struct.pack("<I", len(command)) + command + b"\x85R."


def entry(name, method):
    """A zip entry with a fixed date, so that rerunning this script rewrites the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = method
    return info


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "tiny_ofa_space.json"), "w") as f:
        json.dump(SPACE, f, indent=1)
        f.write("\n")

    state = random_state_dict(OFAMobileNetV3(SPACE, CHECKPOINT_CLASSES))
    torch.save({"state_dict": state, "epoch": 3, "best_acc": 12.5}, os.path.join(OUT, "tiny_ofa.pth"))

    checked = [
        "first_conv.conv.weight",
        "blocks.0.conv.depth_conv.conv.weight",
        "blocks.2.conv.inverted_bottleneck.conv.conv.weight",
        "blocks.2.conv.depth_conv.se.fc.expand.weight",
        "blocks.2.conv.depth_conv.conv.5to3_matrix",
        "blocks.1.conv.point_linear.bn.bn.running_var",
        "classifier.linear.weight",
        "classifier.linear.bias",
    ]
    expected = {key: expected_entry(state[key]) for key in checked}
    expected["blocks.1 depthwise filter at k3"] = expected_entry(active_depthwise_filter(state, 1, SPACE["kernels"], 3))
    with open(os.path.join(OUT, "tiny_ofa_expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
        f.write("\n")

    shared = torch.arange(6, dtype=torch.float32)
    small = OrderedDict([
        ("double", torch.tensor([[0.5, -1.25], [3.0, 1e-3]], dtype=torch.float64)),
        ("half", torch.tensor([1.5, -2.0, 65504.0, 6e-8], dtype=torch.float16)),
        ("long", torch.tensor([1234, -5], dtype=torch.int64)),
        ("whole", shared.view(2, 3)),
        ("tail", shared[3:]),
        ("transposed", shared.view(2, 3).t()),
        ("parameter", nn.Parameter(torch.tensor([2.0, -3.0]))),
    ])
    torch.save(small, os.path.join(OUT, "tiny_legacy.pth"), _use_new_zipfile_serialization=False)
    buffer = io.BytesIO()
    torch.save(small, buffer)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(os.path.join(OUT, "tiny_deflated.pth"), "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(entry(item.filename, zipfile.ZIP_DEFLATED), src.read(item.filename))

    with zipfile.ZipFile(os.path.join(OUT, "malicious.pth"), "w", zipfile.ZIP_STORED) as z:
        z.writestr(entry("archive/data.pkl", zipfile.ZIP_STORED), malicious_pickle())
        z.writestr(entry("archive/version", zipfile.ZIP_STORED), "3\n")

    for name in sorted(os.listdir(OUT)):
        print(name, os.path.getsize(os.path.join(OUT, name)))


if __name__ == "__main__":
    main()
