"""The 101 call flow: the verbs a call runs, planned from settings and Decisions."""

from ivr.flows.builder import FlowBuilder

__all__ = ["FlowBuilder"]
