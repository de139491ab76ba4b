"""A stock Netmiko session to a switch of a started MockFleet, logged in with the fleet's
credentials (fleet.env): how the emulator's tests talk to it as an automation client would."""

from __future__ import annotations

from typing import Any

from netmiko import ConnectHandler

from mock_devices.testing import MockFleet


def netmiko_to(fleet: MockFleet, index: int = 0, device_type: str = "cisco_xe", **kwargs: Any) -> Any:
    """Netmiko's ConnectHandler to device `index`; `kwargs` override or add connection options."""
    device = fleet.fleet.devices[index]
    params: dict[str, Any] = {
        "device_type": device_type,
        "host": device.host,
        "port": device.port,
        "username": fleet.env["FLEETREG_USERNAME"],
        "password": fleet.env["FLEETREG_PASSWORD"],
        "secret": fleet.env["FLEETREG_ENABLE_SECRET"],
    }
    params.update(kwargs)
    return ConnectHandler(**params)
