"""Emulated IOS-XE Catalyst switches over real SSH, with an emulated SSM On-Prem satellite."""
