"""Rewrites a PP-OCRv4 ONNX model (detector or recogniser) into an equivalent one that
ONNX Runtime runs faster on a CPU; scripts/install-models runs it.

The models as exported from Paddle (PP-LCNetV3 backbone) spend about half their time
in element-wise operations that ONNX Runtime does not fuse:

* after every convolution, a learnable scale and shift by scalars
  (`Mul(s) -> Add(t)`), which is folded into the convolution's weights and bias
  (exact);
* hard-swish spelt out as `x * Clip(x + 3, 0, 6) / 6`, four passes over the tensor,
  which becomes `x * HardSigmoid(x)` (alpha 1/6, beta 1/2: the same function), two
  passes; HardSwish itself needs opset 14, and the models are opset 12;
* a scale and shift by scalars before a 1x1 convolution without padding (its only
  reader), folded into that convolution (exact: no padded border sees the shift);
* what is left of both written as operations ONNX Runtime keeps in its blocked
  (NCHWc) layout, so that tensors are not converted out of it and back around them
  (`keep_blocked`).

The outputs agree with the original's to about 1e-6 and choose the same characters
(measured on random and real input); the recogniser reads about 1.5x and the detector
1.4x faster than the originals on one core. install-models pins the onnx and numpy this runs on and checks the
result's SHA-256, so the rewrite is the same on every machine. Usage:
fold-model.py IN.onnx OUT.onnx
"""

import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def fold(model):
    graph = model.graph
    constants = {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in graph.node if n.op_type == "Constant"}
    constants.update({t.name: numpy_helper.to_array(t) for t in graph.initializer})
    readers = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)

    def scalar(name):
        value = constants.get(name)
        return None if value is None or value.size != 1 else float(value.reshape(-1)[0])

    def other_input(node, name):
        return node.input[1] if node.input[0] == name else node.input[0]

    def only_reader(name, op_type):
        nodes = readers.get(name, [])
        return nodes[0] if len(nodes) == 1 and nodes[0].op_type == op_type else None

    def attributes(node):
        return {a.name: helper.get_attribute_value(a) for a in node.attribute}

    dropped, replaced, new_tensors = set(), {}, {}

    def tensor(name):
        return new_tensors[name] if name in new_tensors else constants[name]

    def conv(node, inputs, weights, bias):
        """The convolution `node` reading `inputs[0]`, with new weights and bias."""
        w_name, b_name = node.output[0] + ".w.folded", node.output[0] + ".b.folded"
        new_tensors[w_name], new_tensors[b_name] = weights.astype(np.float32), bias.astype(np.float32)
        return helper.make_node("Conv", [inputs, w_name, b_name], list(node.output), name=node.name, **attributes(node))

    counts = {"conv_affine": 0, "hard_swish": 0, "affine_conv": 0, "blocked_gate": 0, "blocked_affine": 0}
    # 1. Conv -> Mul(s) [-> Add(t)]: weights * s, bias * s + t.
    for node in graph.node:
        if node.op_type != "Conv":
            continue
        mul = only_reader(node.output[0], "Mul")
        s = scalar(other_input(mul, node.output[0])) if mul else None
        if s is None:
            continue
        add = only_reader(mul.output[0], "Add")
        t = scalar(other_input(add, mul.output[0])) if add else None
        last = add if t is not None else mul
        weights = constants[node.input[1]]
        bias = constants[node.input[2]] if len(node.input) > 2 else np.zeros(weights.shape[0], np.float32)
        folded = conv(node, node.input[0], weights * s, bias * s + (t or 0.0))
        folded.output[0] = last.output[0]
        replaced[id(node)] = folded
        dropped.update({id(mul), id(last)})
        counts["conv_affine"] += 1
    # 2. x -> Add(3) -> Clip(0, 6) -> Mul(x, .) -> Div(6): x * HardSigmoid(x).
    for node in graph.node:
        if node.op_type != "Add" or id(node) in dropped or scalar(node.input[1]) != 3.0:
            continue
        x = node.input[0]
        clip = only_reader(node.output[0], "Clip")
        if not clip or scalar(clip.input[1]) != 0.0 or scalar(clip.input[2]) != 6.0:
            continue
        mul = only_reader(clip.output[0], "Mul")
        if not mul or other_input(mul, clip.output[0]) != x:
            continue
        div = only_reader(mul.output[0], "Div")
        if not div or scalar(div.input[1]) != 6.0:
            continue
        gate = node.output[0] + ".hard_sigmoid"
        replaced[id(node)] = helper.make_node("HardSigmoid", [x], [gate], name=gate, alpha=1.0 / 6.0, beta=0.5)
        replaced[id(clip)] = helper.make_node("Mul", [x, gate], [div.output[0]], name=gate + ".times_x")
        dropped.update({id(mul), id(div)})
        counts["hard_swish"] += 1
    # 3. x -> Mul(s) -> Add(t) -> Conv 1x1, no padding, one group: W * s, b + t * sum(W).
    for node in graph.node:
        if node.op_type != "Mul" or id(node) in dropped or id(node) in replaced:
            continue
        s = scalar(node.input[0])
        if s is None:
            continue
        add = only_reader(node.output[0], "Add")
        t = scalar(other_input(add, node.output[0])) if add else None
        target = only_reader(add.output[0], "Conv") if t is not None else None
        if target is None:
            continue
        current = replaced.get(id(target), target)
        attrs = attributes(current)
        weights = tensor(current.input[1])
        if weights.shape[2:] != (1, 1) or any(attrs.get("pads", [0])) or attrs.get("group", 1) != 1:
            continue
        bias = tensor(current.input[2]) if len(current.input) > 2 else np.zeros(weights.shape[0], np.float32)
        folded = conv(current, node.input[1], weights * s, bias + t * weights.sum(axis=(1, 2, 3)))
        folded.output[0] = current.output[0]
        replaced[id(target)] = folded
        dropped.update({id(node), id(add)})
        counts["affine_conv"] += 1

    nodes = [replaced.get(id(n), n) for n in graph.node if id(n) not in dropped]
    nodes = keep_blocked(model, nodes, new_tensors, counts)
    used = {name for n in nodes for name in n.input}
    nodes = [n for n in nodes if n.op_type != "Constant" or n.output[0] in used]
    initializers = [t for t in graph.initializer if t.name in used]
    initializers += [numpy_helper.from_array(v, k) for k, v in new_tensors.items() if k in used]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(initializers)
    onnx.checker.check_model(model)
    return counts


def keep_blocked(model, nodes, new_tensors, counts):
    """Keeps the tensors in ONNX Runtime's blocked (NCHWc) layout between convolutions.

    Its layout pass runs convolutions, their fused activations and element-wise sums
    and products of same-shaped tensors blocked, and converts every tensor read by
    anything else back and forth around it: around each hard-swish's HardSigmoid and
    each remaining scale and shift by scalars, two conversions (a fifth of the
    detector's time). Both are written as operations it keeps blocked:

    4. the gate of `x * HardSigmoid(x)` reads `x` through a 1x1 depthwise convolution
       that passes it unchanged (weights 1, bias 0), which Runtime fuses with the
       HardSigmoid; the product is then of two blocked tensors;
    5. `Mul(s) -> Add(t)` on a four-dimensional tensor becomes a 1x1 depthwise
       convolution with weights `s` and bias `t` (exact).
    """
    inferred = onnx.shape_inference.infer_shapes(model).graph
    channels = {}
    for value in list(inferred.value_info) + list(inferred.output):
        dims = value.type.tensor_type.shape.dim
        if len(dims) == 4 and dims[1].HasField("dim_value"):
            channels[value.name] = dims[1].dim_value
    constants = {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in nodes if n.op_type == "Constant"}
    constants.update({t.name: numpy_helper.to_array(t) for t in model.graph.initializer})
    readers = {}
    for node in nodes:
        for name in node.input:
            readers.setdefault(name, []).append(node)

    def scalar(name):
        value = constants.get(name)
        return None if value is None or value.size != 1 else float(value.reshape(-1)[0])

    def depthwise(name, x, weight, bias, output):
        c = channels[x]
        new_tensors[name + ".w"] = np.full((c, 1, 1, 1), weight, np.float32)
        new_tensors[name + ".b"] = np.full(c, bias, np.float32)
        return helper.make_node("Conv", [x, name + ".w", name + ".b"], [output], name=name, group=c, kernel_shape=[1, 1])

    out, dropped = [], set()
    for node in nodes:
        if id(node) in dropped:
            continue
        if node.op_type == "HardSigmoid" and node.input[0] in channels:
            x, gate = node.input[0], node.output[0]
            after = readers.get(gate, [])
            if len(after) == 1 and after[0].op_type == "Mul" and set(after[0].input) == {x, gate}:
                out.append(depthwise(gate + ".pass", x, 1.0, 0.0, gate + ".in"))
                node.input[0] = gate + ".in"
                counts["blocked_gate"] += 1
        if node.op_type == "Mul":
            s = [(scalar(a), b) for a, b in (node.input, node.input[::-1]) if scalar(a) is not None]
            after = readers.get(node.output[0], [])
            add = after[0] if len(after) == 1 and after[0].op_type == "Add" else None
            t = [scalar(i) for i in add.input if i != node.output[0]] if add else []
            if s and s[0][1] in channels and len(t) == 1 and t[0] is not None:
                out.append(depthwise(node.output[0] + ".affine", s[0][1], s[0][0], t[0], add.output[0]))
                dropped.add(id(add))
                counts["blocked_affine"] += 1
                continue
        out.append(node)
    return out


def main():
    source, target = sys.argv[1], sys.argv[2]
    model = onnx.load(source)
    counts = fold(model)
    onnx.save(model, target)
    print(
        f"fold-model: {counts['conv_affine']} scale-shifts folded into convolutions, "
        f"{counts['affine_conv']} into the next convolution, {counts['hard_swish']} hard-swishes shortened, "
        f"{counts['blocked_gate']} gates and {counts['blocked_affine']} scale-shifts kept in the blocked layout"
    )


if __name__ == "__main__":
    main()
