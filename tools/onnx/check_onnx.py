#!/usr/bin/python3
"""check_onnx.py — runs the ONNX checker (python3-onnx, Debian) on exported files, with full shape inference,
and prints each file's opset, inputs, outputs and metadata. Exit 1 when a file fails the checker.

    /usr/bin/python3 tools/onnx/check_onnx.py model.onnx [more.onnx ...]
"""
import sys

try:
    import onnx
except ImportError:
    print("check_onnx.py: python3-onnx is not installed (apt-get install python3-onnx)", file=sys.stderr)
    sys.exit(2)


def shape(value_info):
    dims = value_info.type.tensor_type.shape.dim
    return "[" + ", ".join(d.dim_param or str(d.dim_value) for d in dims) + "]"


def main(paths):
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        try:
            model = onnx.load(path)
            onnx.checker.check_model(model, full_check=True)
        except Exception as e:  # the checker's ValidationError and protobuf's DecodeError alike
            print(f"{path}: FAILED: {e}")
            failed += 1
            continue
        opset = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
        ins = ", ".join(f"{i.name} {shape(i)}" for i in model.graph.input)
        outs = ", ".join(f"{o.name} {shape(o)}" for o in model.graph.output)
        print(f"{path}: ok (onnx {onnx.__version__} checker, full_check): opset {opset}; IR {model.ir_version}; "
              f"{len(model.graph.node)} nodes, {len(model.graph.initializer)} initializers; inputs {ins}; outputs {outs}")
        for p in model.metadata_props:
            print(f"  {p.key}: {p.value[:200]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
