"""The TypeScript that openapi-typescript writes from the OpenAPI document is strict where the
API is: a typo in a fixed vocabulary, or a facet a list does not count, does not compile,
while every valid form does (tsc fails on an `@ts-expect-error` that expects nothing, so
neither half can pass vacuously)."""

import json
import subprocess
from pathlib import Path

from app.main import create_app
from tests.conftest import ROOT

BIN = ROOT / "node_modules" / ".bin"
CHECKS = """
import type { components, paths } from "./openapi";

type Query<P extends keyof paths> = NonNullable<paths[P]["get"]["parameters"]["query"]>;
type Events = components["schemas"]["Page_EventPublic_"];
type SparseEvents = components["schemas"]["SparsePage_EventPublic_"];

export const kinds: Query<"/v1/events"> = { kind: ["coup", "!offer"], facet: ["kind", "year"] };
export const modes: Query<"/v1/statements"> = { mode: ["direct"], fields: ["text"] };
export const included: Query<"/v1/aid/{id}"> = { include: ["donor", "event"] };
export const data: Query<"/v1/events"> = { country: "ne,!BF", participant: "x" };
// @ts-expect-error a typo in a fixed vocabulary
export const typo: Query<"/v1/events"> = { kind: ["coupp"] };
// @ts-expect-error a vocabulary is a list of values, not a string
export const string: Query<"/v1/events"> = { kind: "coupp" };
export const sorted: Query<"/v1/events"> = { sort: "-date" };
// @ts-expect-error `sort` takes one of its listed values
export const unsorted: Query<"/v1/events"> = { sort: "dat" };
// @ts-expect-error quotes have no kind of their own
export const elsewhere: Query<"/v1/quotes"> = { kind: ["coup"] };

export function counts(page: Events, sparse: SparseEvents): number {
  const kind: components["schemas"]["FacetValue"][] = page.facets?.kind ?? [];
  const title: string = page.data[0].title;
  const maybe: string | undefined = sparse.data[0].title;
  const participants = page.data[0].included?.participants ?? [];
  const who: string = participants.length ? participants[0].type : "";
  // @ts-expect-error events count no such facet
  const nonsense = page.facets?.nonsense;
  // @ts-expect-error a sparse record may lack a field
  const lacking: string = sparse.data[0].title;
  const all = [title, maybe ?? "", who, String(nonsense), lacking];
  return kind.length + all.join("").length;
}
"""


def test_generated_typescript_refuses_typos_and_unknown_facets(tmp_path: Path) -> None:
    if not (BIN / "tsc").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
    (tmp_path / "openapi.json").write_text(json.dumps(create_app().openapi()))
    subprocess.run(
        [BIN / "openapi-typescript", "openapi.json", "--output", "openapi.d.ts"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    (tmp_path / "checks.ts").write_text(CHECKS)
    compiled = subprocess.run(
        [BIN / "tsc", "--noEmit", "--strict", "--skipLibCheck", "checks.ts"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
