"""`rasm serve` for real: it listens before it says it serves, and says plainly when it cannot."""

import socket
import subprocess

from conftest import RASM


def test_a_port_in_use_is_one_clear_line_and_no_claim_to_serve(names_index):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run([RASM, "serve", "--index", str(names_index.path), "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr == f"Error: cannot listen on 127.0.0.1:{port} (Address already in use)\n"
    assert "Rasm on http" not in done.stdout + done.stderr


def test_an_address_not_of_this_machine_is_one_clear_line(names_index):
    done = subprocess.run([RASM, "serve", "--index", str(names_index.path), "--host", "192.0.2.1",
                           "--port", "8080"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr == "Error: cannot listen on 192.0.2.1:8080 (Cannot assign requested address)\n"
