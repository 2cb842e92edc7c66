"""Glue-style job arguments, parsed the same way on Glue and on a laptop.

Glue passes every job argument as `--name value` and adds its own (`--JOB_ID`, `--JOB_RUN_ID`,
`--TempDir`, `--job-bookmark-option`, ...). awsglue.utils.getResolvedOptions is not importable
outside Glue, so this parser accepts both `--name value` and `--name=value` and ignores names
the job did not ask for.
"""

import datetime
import uuid

from lake_errors import JobError


def parse(argv, job, required, optional=()):
    """Returns {name: value} for the required and optional names found in argv.

    Raises JobError naming every missing required argument and showing a full command line.
    """
    found = {}
    i = 0
    while i < len(argv):
        token = argv[i]
        i += 1
        if not token.startswith("--"):
            continue
        name = token[2:]
        if "=" in name:
            name, value = name.split("=", 1)
        elif i < len(argv) and not argv[i].startswith("--"):
            value = argv[i]
            i += 1
        else:
            value = ""
        found[name] = value
    wanted = set(required) | set(optional)
    args = {name: value for name, value in found.items() if name in wanted}
    missing = [name for name in required if not args.get(name)]
    if missing:
        usage = " ".join(f"--{name} <{name}>" for name in required)
        raise JobError(
            f"missing argument{'s' if len(missing) > 1 else ''} "
            f"{', '.join('--' + name for name in missing)}: run as "
            f"python stacks/glue/{job}.py {usage} (see stacks/glue/README.md)"
        )
    return args


def run_id(args, job):
    """Glue's run id when Glue started the job; otherwise a unique id that says it ran by hand."""
    if args.get("JOB_RUN_ID"):
        return args["JOB_RUN_ID"]
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"manual-{job}-{stamp}-{uuid.uuid4().hex[:8]}"
