"""stacks/glue/README.md's "Running a job by hand" works as written: its commands, run against the
dev lake deployed as scripts/demo deploys it (here into the test emulator), ingest the sample file."""

import json
import os
import re
import subprocess

from test_deployed import ROOT, _lakectl


def recipe():
    text = (ROOT / "stacks" / "glue" / "README.md").read_text()
    section = text.split("## Running a job by hand", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_the_run_a_job_by_hand_recipe_works_as_written():
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    lines = recipe().splitlines()
    assert lines[0].startswith("scripts/demo"), "the recipe starts from what the demo deployed"
    lakectl = _lakectl()
    env = {**os.environ, "NO_COLOR": "1"}
    # What scripts/demo does, on the test emulator's port instead of 4566.
    deployed = subprocess.run([lakectl, "deploy", "--env", "dev", "--yes"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
    assert deployed.returncode == 0, deployed.stderr
    try:
        script = "\n".join(lines[1:]).replace("http://127.0.0.1:4566", endpoint)
        ran = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
        assert ran.returncode == 0, f"{ran.stdout}\n{ran.stderr}"
        record = json.loads(ran.stdout.strip().splitlines()[-1])
        assert record["status"] == "SUCCEEDED", record
        assert record["rows_written"] == 6 and record["rows_quarantined"] == 10, record
    finally:
        subprocess.run([lakectl, "destroy", "--env", "dev", "--yes", "--allow-data-loss"], cwd=ROOT,
                       env=env, capture_output=True, text=True, timeout=300)
