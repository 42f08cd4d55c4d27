import os
import sys

# Worker-test helpers live in an importable module, so that spawn-started workers can
# unpickle the datasets (pytest's importlib mode does not put test dirs on sys.path).
sys.path.insert(0, os.path.dirname(__file__))
