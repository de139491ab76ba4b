"""The naive way, for comparison: one switch after the other with stock Netmiko, same commands.

    .venv/bin/python bench/naive_sequential.py PLAN_DIR/plan.json INVENTORY_DIR [--limit 20]

Per switch: the 3 show commands, the CA (when the plan installs it), the plan's config lines,
write memory, deregister (when the plan says so), register / sync, poll `show license status`
every second until it shows the new state, write memory, verify. Credentials and tokens from the mock's fleet.env."""

import json
import re
import sys
import time
from pathlib import Path

from netmiko import ConnectHandler

plan_file, inventory = Path(sys.argv[1]), Path(sys.argv[2])
limit = int(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else None
env = dict(re.findall(r"export (\w+)='?([^'\n]*)'?", (inventory / "fleet.env").read_text()))
hosts = [h for h in json.loads(plan_file.read_text())["hosts"] if h["classification"] == "to-migrate"][:limit]
started, done = time.monotonic(), 0
for host in hosts:
    conn = ConnectHandler(
        device_type="cisco_xe",
        host=host["hostname"],
        port=host["port"],
        username=env["FLEETREG_USERNAME"],
        password=env["FLEETREG_PASSWORD"],
    )
    for show in ("show version", "show license status", "show running-config"):
        conn.send_command(show)
    install_ca = next((s["commands"] for s in host["steps"] if s["name"] == "install_ca"), None)
    if install_ca:  # the CA dialogue, answered blindly (no fingerprint check)
        conn.send_config_set(install_ca[:3])
        conn.config_mode()
        conn.send_command_timing(install_ca[3], last_read=1.0)
        conn.send_command_timing(Path(host["ca_file"]).read_text() + "quit", last_read=1.0)
        conn.send_command_timing("yes", last_read=1.0)
        conn.exit_config_mode()
    conn.send_config_set(host["config_commands"])
    conn.send_command("write memory")
    steps = [s["name"] for s in host["steps"]]
    if "deregister" in steps:
        conn.send_command("license smart deregister")
    if "register" in steps:
        token = env["FLEETREG_TOKEN_" + re.sub(r"\W+", "_", host["virtual_account"]).upper()]
        conn.send_command(f"license smart register idtoken {token}")
    if "sync" in steps:
        conn.send_command("license smart sync all")
    waiting = "wait_registered" in steps or "wait_ack" in steps
    while waiting and not re.search(
        r"Status: REGISTERED|Last ACK received: \w{3}", conn.send_command("show license status")
    ):
        time.sleep(1)
    conn.send_command("write memory")
    conn.send_command("show license status")
    conn.send_command("show running-config | section call-home")
    conn.disconnect()
    done += 1
    print(f"{host['name']} done at {time.monotonic() - started:.1f}s", flush=True)
print(json.dumps({"switches": done, "wall_s": time.monotonic() - started}))
