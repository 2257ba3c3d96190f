"""deep-value.py K: prints a model whose constant 'value' is K nested lists deep.

The model object, 'nodes', the node and 'attrs' are 4 levels, so the value
reaches level K + 4; the lists start at column 100.
"""
import sys

k = int(sys.argv[1])
print('{"asg": 1, "name": "m", "inputs": [], "nodes": [{"name": "c", "op": "constant", '
      '"attrs": {"value": ' + "[" * k + "1" + "]" * k + '}, "inputs": []}], "outputs": ["c"]}')
