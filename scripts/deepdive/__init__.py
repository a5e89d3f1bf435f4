"""Kubernetes & Istio Deep Dive: load, validate and explain the site's manifests."""

__version__ = "0.1.0"
