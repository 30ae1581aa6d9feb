"""clusterpath: an industrial cluster's path to net zero, planned together."""

__version__ = "0.1.0"
