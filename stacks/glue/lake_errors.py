"""The one exception type the jobs raise for problems a user can fix.

Its message is what the operator reads in the job log, the lineage table and the alert, so it
says what failed and what to do. Anything else that escapes a job is a bug and is reported as
"unexpected error" with its type.
"""


class JobError(Exception):
    """A failure with a message meant for the person who runs the lake."""


class SchemaMismatch(JobError):
    """The input does not have the structure the config table declares for its dataset."""
