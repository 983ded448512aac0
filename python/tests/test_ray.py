"""Scaling out on an existing engine: medscrub inside Ray Data, over the fixtures read as
binary files (as a cluster reads them from object storage), on two local workers, with
the CLI's verdicts.

On a cluster the same pipeline reads `s3://bucket/photos/` (or gs://, abfs://) with
`ray.data.read_binary_files`, and each worker needs only the wheel (README: "Python")."""

import os
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="Ray is installed by scripts/python-env")

from conftest import cli_reports, rules  # noqa: E402


class Checker:
    """One per Ray worker (an actor): the package is imported, and its models loaded, once
    per worker rather than once per batch."""

    def __init__(self):
        import medscrub

        self.medscrub = medscrub

    def __call__(self, batch):
        verdicts, found, workers = [], [], []
        for data, path in zip(batch["bytes"], batch["path"]):
            report = self.medscrub.scan(bytes(data), name=Path(path).name)
            verdicts.append(report["verdict"])
            found.append(",".join(rules(report)))
            workers.append(os.getpid())
        return {"path": batch["path"], "verdict": verdicts, "rules": found, "worker": workers}


@pytest.fixture(scope="module")
def local_cluster():
    # Workers import Checker from this file by name: they need its folder on their path.
    here = str(Path(__file__).parent)
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        runtime_env={"env_vars": {"PYTHONPATH": here}},
    )
    yield
    ray.shutdown()


def test_ray_data_gives_the_clis_verdicts_on_two_workers(local_cluster, photos):
    # File names are evidence; the CLI sees the same names (the folders hold no
    # identifying names), so verdicts and findings must match exactly.
    files = [p for p in photos if p.parent.name in ("photos", "text")]
    dataset = ray.data.read_binary_files([str(p) for p in files], include_paths=True)
    # Two actors of half a CPU each leave the other CPU to the tasks that read the files
    # (with two whole-CPU actors on a two-CPU node, the reads would wait forever).
    checked = dataset.map_batches(Checker, batch_size=2, concurrency=2, num_cpus=0.5).take_all()
    expected = cli_reports(files)
    assert len(checked) == len(files)
    for row in checked:
        path = row["path"] if row["path"].startswith("/") else "/" + row["path"]
        cli = expected[path]
        assert row["verdict"] == cli["verdict"], path
        assert row["rules"] == ",".join(rules(cli)), path
    assert len({row["worker"] for row in checked}) == 2, "both workers took photos"
