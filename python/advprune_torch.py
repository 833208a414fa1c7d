"""Load an AdvPrune Lab safetensors export as a PyTorch ``nn.Module``, in one line::

    from advprune_torch import load
    model = load("pruned.safetensors")          # eval mode, masks applied
    logits = model(images)                      # images: float32 [B, C, H, W], pixels in [0, 1]

Single file, torch and the Python standard library only (no ``safetensors`` package needed).
The architecture is rebuilt from the file's ``__metadata__["spec"]`` (the app's ModelSpec:
src/engine/model/spec.ts), dense, masked and compacted models alike. The format is described in
docs/format.md; the forward pass reproduces src/engine/model/forward.ts:

* conv: TensorFlow's 'same' padding, computed per input size: total = max((ceil(in/s) - 1)*s + k
  - in, 0), the smaller half before (a 3x3 stride-2 conv on an even input pads 0 before and 1
  after, unlike PyTorch's ``padding=1``); 'valid' = no padding. Kernels are stored HWIO and
  permuted to PyTorch's OIHW.
* batch norm in eval mode uses the running statistics, eps from ``__metadata__["bn_epsilon"]``.
* flatten is in NHWC order (``h.permute(0, 2, 3, 1).flatten(1)``), so dense kernels ([in, out],
  transposed to nn.Linear's [out, in]) keep their rows; max pooling is 'valid'.
* residual block (He et al. 2016): relu(bn(conv2(relu(bn(conv1(x))))) + shortcut(x)), the
  shortcut a 1x1 conv + BN when the stride or width changes, else the identity.
* masks (``mask/<layer>/kernel``): a mask of the kernel's shape multiplies the kernel; an
  ``[out]`` mask multiplies the kernel's output axis, the bias and BN gamma and beta, so a removed
  unit outputs exactly 0. They are multiplied into the weights at load time and kept, in each
  parameter's PyTorch layout, in ``model.masks`` (parameter name -> 0/1 tensor) for fine-tuning.

Sources: the safetensors layout (https://github.com/huggingface/safetensors, "Format"), the
TensorFlow 'same' padding rule (tf.nn docs, "Notes on padding":
https://www.tensorflow.org/api_docs/python/tf/nn#notes_on_padding_2), and the parameter layouts
of PyTorch's nn.Conv2d, nn.BatchNorm2d and nn.Linear (https://pytorch.org/docs).

Run as a script to print a loaded model: ``python3 advprune_torch.py pruned.safetensors``.
"""

import json
import math
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["load", "read_safetensors", "AdvPruneNet", "FORMAT", "FORMAT_VERSION"]

FORMAT = "advprune-lab"
FORMAT_VERSION = "1"
MASK_PREFIX = "mask/"

_DTYPES = {"F32": (torch.float32, 4), "I32": (torch.int32, 4), "U8": (torch.uint8, 1)}


def read_safetensors(path):
    """Read a safetensors file: ({name: tensor}, {metadata key: str}). Little-endian hosts."""
    if sys.byteorder != "little":
        raise RuntimeError("advprune_torch reads safetensors on little-endian machines only")
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: {len(data)} bytes, not a safetensors file")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise ValueError(f"{path}: header length {n} exceeds the file")
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {}) or {}
    base = 8 + n
    tensors = {}
    for name, e in header.items():
        if e["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor {name!r} has unsupported dtype {e['dtype']}")
        dtype, size = _DTYPES[e["dtype"]]
        begin, end = e["data_offsets"]
        count = math.prod(e["shape"])
        if end - begin != count * size or base + end > len(data):
            raise ValueError(f"{path}: tensor {name!r} has bad data_offsets {e['data_offsets']}")
        buf = bytearray(data[base + begin : base + end])  # a writable copy
        t = torch.frombuffer(buf, dtype=dtype) if count > 0 else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(e["shape"])
    return tensors, metadata


def _same_pads(size, k, s):
    """TensorFlow 'same' padding along one axis: (before, after)."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


class Conv(nn.Module):
    """conv2d (TF padding) -> optional BN -> optional ReLU: one prunable conv layer of the app."""

    def __init__(self, cin, cout, k, stride, padding, batch_norm, relu, eps):
        super().__init__()
        self.k, self.stride, self.padding, self.relu = k, stride, padding, relu
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, padding=0, bias=not batch_norm)
        self.bn = nn.BatchNorm2d(cout, eps=eps, momentum=0.1) if batch_norm else None

    def forward(self, x):
        if self.padding == "same":
            top, bottom = _same_pads(x.shape[2], self.k, self.stride)
            left, right = _same_pads(x.shape[3], self.k, self.stride)
            if top or bottom or left or right:
                x = F.pad(x, (left, right, top, bottom))
        x = self.conv(x)
        if self.bn is not None:
            x = self.bn(x)
        return F.relu(x) if self.relu else x


class Dense(nn.Module):
    def __init__(self, n_in, n_out, relu):
        super().__init__()
        self.fc = nn.Linear(n_in, n_out)
        self.relu = relu

    def forward(self, x):
        x = self.fc(x)
        return F.relu(x) if self.relu else x


class Residual(nn.Module):
    def __init__(self, conv1, conv2, shortcut):
        super().__init__()
        self.conv1, self.conv2, self.shortcut = conv1, conv2, shortcut

    def forward(self, x):
        sc = self.shortcut(x) if self.shortcut is not None else x
        return F.relu(self.conv2(self.conv1(x)) + sc)


class Flatten(nn.Module):
    """Flatten in NHWC order, as the app (a no-op on an already flat input)."""

    def forward(self, x):
        return x.permute(0, 2, 3, 1).flatten(1) if x.dim() == 4 else x


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3))


class AdvPruneNet(nn.Module):
    """The app's model as a module: ``layers`` in spec order, named as the spec's layers.

    ``forward(x)``: x float32 [B, C, H, W] (or [B, H, W, C] with input_layout="NHWC"), pixels in
    [0, 1] (no normalization); returns logits [B, numClasses] (before softmax).
    """

    def __init__(self, spec, tensors, masks=None, bn_epsilon=1e-5, input_layout="NCHW"):
        super().__init__()
        if input_layout not in ("NCHW", "NHWC"):
            raise ValueError(f"input_layout must be 'NCHW' or 'NHWC', got {input_layout!r}")
        self.spec = spec
        self.input_layout = input_layout
        self.layers = nn.ModuleDict()
        self.masks = {}
        masks = dict(masks or {})
        used = set()

        def get(name):
            if name not in tensors:
                raise ValueError(f"the file has no tensor {name!r} (spec: {spec.get('name')!r})")
            used.add(name)
            return tensors[name].float()

        def masked(ours, kernel, extra):
            """Kernel (our layout) and its unit tensors (bias/gamma/beta) with the mask applied."""
            m = masks.pop(kernel, None)
            if m is None:
                return get(kernel), [get(n) if n else None for n in extra], None
            m = m.float()
            w = get(kernel)
            if tuple(m.shape) == tuple(w.shape):
                return w * m, [get(n) if n else None for n in extra], m
            if m.dim() == 1 and m.shape[0] == w.shape[-1]:
                return w * m, [get(n) * m if n else None for n in extra], m
            raise ValueError(
                f"mask for {kernel!r} has shape {list(m.shape)}, kernel {list(w.shape)}"
            )

        def conv(ours, cin, k, stride, padding, bn, relu, module_name):
            kernel = f"{ours}/kernel"
            extra = [f"{ours}/bn/gamma", f"{ours}/bn/beta"] if bn else [f"{ours}/bias"]
            w, units, m = masked(ours, kernel, extra)
            kh, kw, wcin, cout = w.shape
            if kh != k or kw != k or wcin != cin:
                raise ValueError(f"{kernel} is {list(w.shape)}, spec wants [{k}, {k}, {cin}, ...]")
            c = Conv(cin, cout, k, stride, padding, bn, relu, bn_epsilon)
            with torch.no_grad():
                c.conv.weight.copy_(w.permute(3, 2, 0, 1))  # HWIO -> OIHW
                if bn:
                    c.bn.weight.copy_(units[0])
                    c.bn.bias.copy_(units[1])
                    c.bn.running_mean.copy_(get(f"{ours}/bn/movingMean"))
                    c.bn.running_var.copy_(get(f"{ours}/bn/movingVariance"))
                else:
                    c.conv.bias.copy_(units[0])
            if m is not None:
                prefix = f"layers.{module_name}"
                full = m if m.dim() == 4 else m.reshape(1, 1, 1, -1).expand(w.shape)
                self.masks[f"{prefix}.conv.weight"] = full.permute(3, 2, 0, 1).contiguous()
                if m.dim() == 1:
                    for p in ("bn.weight", "bn.bias") if bn else ("conv.bias",):
                        self.masks[f"{prefix}.{p}"] = m.clone()
            return c, cout

        h, w, c = spec["inputShape"]
        flat = None  # features once flat
        for layer in spec["layers"]:
            kind, name = layer["kind"], layer["name"]
            key = name.replace(".", "_")
            if kind == "conv2d":
                stride = layer.get("stride", 1)
                padding = layer.get("padding", "same")
                k = layer["kernelSize"]
                bn = layer.get("batchNorm", False)
                relu = layer.get("activation", "relu") == "relu"
                mod, c = conv(name, c, k, stride, padding, bn, relu, key)
                h, w = _out(h, k, stride, padding), _out(w, k, stride, padding)
                self.layers[key] = mod
            elif kind == "dense":
                if flat is None:
                    raise ValueError(f"dense layer {name!r} needs a flat input")
                kernel = f"{name}/kernel"
                wt, (bias,), m = masked(name, kernel, [f"{name}/bias"])
                if wt.shape[0] != flat:
                    raise ValueError(f"{kernel} is {list(wt.shape)}, its input has {flat} features")
                mod = Dense(flat, wt.shape[1], layer.get("activation", "relu") == "relu")
                with torch.no_grad():
                    mod.fc.weight.copy_(wt.t())
                    mod.fc.bias.copy_(bias)
                if m is not None:
                    full = m if m.dim() == 2 else m.reshape(1, -1).expand(wt.shape)
                    self.masks[f"layers.{key}.fc.weight"] = full.t().contiguous()
                    if m.dim() == 1:
                        self.masks[f"layers.{key}.fc.bias"] = m.clone()
                flat = wt.shape[1]
                self.layers[key] = mod
            elif kind == "maxPool":
                size = layer["size"]
                stride = layer.get("stride", size)
                self.layers[key] = nn.MaxPool2d(size, stride)
                h, w = (h - size) // stride + 1, (w - size) // stride + 1
            elif kind == "flatten":
                self.layers[key] = Flatten()
                if flat is None:
                    flat = h * w * c
            elif kind == "globalAvgPool":
                self.layers[key] = GlobalAvgPool()
                flat = c
            elif kind == "residual":
                stride = layer.get("stride", 1)
                filters = layer["filters"]
                mid = layer.get("midFilters", filters)
                c1, cm = conv(f"{name}/conv1", c, 3, stride, "same", True, True, f"{key}.conv1")
                if cm != mid:
                    raise ValueError(f"{name}/conv1 has {cm} filters, spec midFilters {mid}")
                c2, cout = conv(f"{name}/conv2", cm, 3, 1, "same", True, False, f"{key}.conv2")
                sc = None
                if stride != 1 or c != filters:
                    sc, _ = conv(
                        f"{name}/shortcut", c, 1, stride, "same", True, False, f"{key}.shortcut"
                    )
                self.layers[key] = Residual(c1, c2, sc)
                c = cout
                h, w = -(-h // stride), -(-w // stride)
            else:
                raise ValueError(f"unknown layer kind {kind!r} ({name!r})")
        if masks:
            raise ValueError(f"masks name no kernel of the spec: {sorted(masks)}")
        unused = sorted(set(tensors) - used)
        if unused:
            raise ValueError(f"tensors the spec does not use: {unused[:5]}")
        if flat != spec["numClasses"]:
            raise ValueError(
                f"the model ends in {flat} outputs, spec numClasses {spec['numClasses']}"
            )

    def forward(self, x):
        if self.input_layout == "NHWC":
            x = x.permute(0, 3, 1, 2)
        for mod in self.layers.values():
            x = mod(x)
        return x


def _out(size, k, stride, padding):
    return -(-size // stride) if padding == "same" else (size - k) // stride + 1


def load(path, input_layout="NCHW", device=None):
    """Build the model of an AdvPrune Lab safetensors export, masks applied, in eval mode.

    input_layout: "NCHW" (PyTorch's, the default) or "NHWC" (the app's). Pixels in [0, 1].
    """
    tensors, meta = read_safetensors(path)
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path}: __metadata__.format is {meta.get('format')!r}, not {FORMAT!r}")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{path}: unsupported format_version {meta.get('format_version')!r}")
    if meta.get("content") == "masks":
        raise ValueError(f"{path} holds masks only; load the weights export (.safetensors)")
    spec = json.loads(meta["spec"])
    masks = {k[len(MASK_PREFIX):]: t for k, t in tensors.items() if k.startswith(MASK_PREFIX)}
    weights = {k: t for k, t in tensors.items() if not k.startswith(MASK_PREFIX)}
    eps = float(meta.get("bn_epsilon", "1e-5"))
    model = AdvPruneNet(spec, weights, masks, bn_epsilon=eps, input_layout=input_layout)
    if device is not None:
        model = model.to(device)
    return model.eval()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 advprune_torch.py model.safetensors")
    m = load(sys.argv[1])
    print(m)
    n = sum(p.numel() for p in m.parameters())
    zeros = sum(int((p == 0).sum()) for p in m.parameters())
    shape = m.spec["inputShape"]
    print(f"{m.spec['name']}: {n} parameters, {zeros} of them 0; input {shape} (HWC)")
