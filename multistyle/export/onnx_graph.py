"""A small builder of ONNX graphs: nodes, constants and unique names.

`onnx.helper` makes single nodes; `Graph` keeps the node list, the
constants (initializers) and the names, so the code that lays out a
network reads as its ops: `y = g.op("Conv", x, w, strides=[2, 2])`.

Example:

>>> g = Graph("double")
>>> x = g.input("x", "float32", ["batch", 3])
>>> g.output(g.op("Mul", x, g.constant(np.float32(2))), "y", "float32",
...          ["batch", 3])
>>> model = g.model(opset=17)
"""

import numpy as np

# `onnx.TensorProto` element types, for `Cast(to=...)`.
FLOAT = 1
UINT8 = 2


def _onnx():
    """The `onnx` package, or a ValueError that names the extra."""
    try:
        import onnx  # pylint: disable=g-import-not-at-top
    except ImportError as e:
        raise ValueError(
            "ONNX export needs the onnx package: pip install "
            "'multistyle[onnx]'.") from e
    return onnx


class Graph:
    """The nodes, constants, inputs and outputs of one ONNX graph.

    Args:
        name: The graph's name.
    """

    def __init__(self, name):
        self._onnx = _onnx()
        self.name = name
        self._nodes = []
        self._initializers = []
        self._inputs = []
        self._outputs = []
        self._used = set()
        self._constants = {}

    def unique(self, name):
        """`name`, or `name_2`, `name_3`... if it is taken."""
        candidate, count = name, 1
        while candidate in self._used:
            count += 1
            candidate = f"{name}_{count}"
        self._used.add(candidate)
        return candidate

    def input(self, name, dtype, shape):
        """Declares a graph input; `shape` mixes ints and symbolic names.

        Returns:
            The input's name.
        """
        self._used.add(name)
        self._inputs.append(self._value_info(name, dtype, shape))
        return name

    def output(self, value, name, dtype, shape):
        """Makes `value` a graph output called `name`."""
        self._used.add(name)
        self._nodes.append(self._onnx.helper.make_node(
            "Identity", [value], [name], name=name))
        self._outputs.append(self._value_info(name, dtype, shape))

    def constant(self, value, name="const"):
        """A constant (an initializer) holding `value`, a numpy array or
        scalar; equal small constants are shared.

        Returns:
            The constant's name.
        """
        value = np.asarray(value)
        key = None
        if value.size <= 16:
            key = (value.dtype.str, value.shape, value.tobytes())
            if key in self._constants:
                return self._constants[key]
        unique = self.unique(name)
        self._initializers.append(
            self._onnx.numpy_helper.from_array(value, unique))
        if key is not None:
            self._constants[key] = unique
        return unique

    def op(self, op_type, *inputs, name=None, outputs=1, domain=None,
           **attributes):
        """Adds one node; `None` inputs stand for omitted optional ones.

        Returns:
            The output's name, or a list of `outputs` names if more than
            one.
        """
        name = self.unique(name or op_type.lower())
        names = ([name] if outputs == 1 else
                 [self.unique(f"{name}_{i}") for i in range(outputs)])
        self._nodes.append(self._onnx.helper.make_node(
            op_type, ["" if i is None else i for i in inputs], names,
            name=name, domain=domain, **attributes))
        return names[0] if outputs == 1 else names

    def model(self, opset, doc_string=""):
        """The `onnx.ModelProto` of the graph, checked."""
        helper = self._onnx.helper
        graph = helper.make_graph(self._nodes, self.name, self._inputs,
                                  self._outputs, self._initializers)
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", opset)],
            producer_name="multistyle", doc_string=doc_string)
        self._onnx.checker.check_model(model, full_check=True)
        return model

    def _value_info(self, name, dtype, shape):
        elem_type = self._onnx.helper.np_dtype_to_tensor_dtype(
            np.dtype(dtype))
        return self._onnx.helper.make_tensor_value_info(name, elem_type,
                                                        shape)
