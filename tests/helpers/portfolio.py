"""Tiny portfolios written to a temporary folder: manifest plus cluster files."""

import copy

import yaml

STORAGE = {"co2_storage": [{"id": "store", "name": "Store", "distance": "50 km", "injection_capacity": "1 Mt"}]}


def cluster(base: dict, id: str, *, country: str = "BE", currency: str = "EUR", name: str | None = None,
            projects: list | None = None, **fields) -> dict:  # fmt: skip
    data = copy.deepcopy(base)
    data.update(id=id, name=name or f"Cluster {id}", country=country, currency=currency, resources=STORAGE,
                projects=projects or [], **fields)
    return data


def write(folder, clusters: list[dict], **manifest) -> str:
    """A portfolio folder with one YAML file per cluster; returns the folder."""
    (folder / "clusters").mkdir(parents=True, exist_ok=True)
    for data in clusters:
        (folder / "clusters" / f"{data['id']}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    body = {"id": "initiative", "name": "Test initiative", "year": 2025, "currency": "EUR",
            "clusters": [{"file": f"clusters/{c['id']}.yaml"} for c in clusters]} | manifest  # fmt: skip
    (folder / "portfolio.yaml").write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    return str(folder)


