"""An ARI-compatible Asterisk 22 simulator for testing the ivr101 app without Asterisk."""

from ivr.simulator.config import AgentProfile, SimulatorConfig, TalkFrom
from ivr.simulator.server import Simulator

__all__ = ["AgentProfile", "Simulator", "SimulatorConfig", "TalkFrom"]
