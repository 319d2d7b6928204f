"""iPhone simulator: recorded lockdown, diagnostics, MCInstall and installation-proxy answers in JSON
profiles (``profiles/``), served at the iPhone driver's service boundary by :class:`SimulatedLockdown`,
with fault knobs for the Trust question, Activation Lock, management, unplugging, hangs and erase."""

from drivers.sim.ios.device import Lifecycle, SimulatedIPhone, simulated_udid
from drivers.sim.ios.lockdown import SimulatedLockdown
from drivers.sim.ios.profile import IPhoneProfile, UnknownProfile, load_profile, profile_names

__all__ = ["IPhoneProfile", "Lifecycle", "SimulatedIPhone", "SimulatedLockdown", "UnknownProfile", "load_profile",
           "profile_names", "simulated_udid"]
