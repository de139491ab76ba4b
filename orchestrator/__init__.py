"""fleetreg: move Catalyst (IOS-XE) switches from Cisco cloud Smart Licensing to an SSM On-Prem satellite."""

__version__ = "0.1.0"
