"""analysis: measure the gap between digital government and digital economy/society.

The small public API a notebook needs is re-exported here.
"""

__version__ = "0.1.0"
