"""Command line: ``python -m planner <command> [options]``.

Bad input (configuration, sites file, options) prints one line naming the
file, row or key and the problem, exits with status 2 and writes nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from grids.tables import DataError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m planner", description="Japan data-centre energy and siting planner.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="solve the plan and write results.nc, summary.csv and map.html per scenario",
                         description="Solve the siting plan for each demand scenario over the milestone years and write "
                                     "results.nc, summary.csv and map.html under <results-dir>/<scenario>/.")
    run.add_argument("--config", help="YAML file with the keys to change from the default configuration")
    run.add_argument("--named", help="a named scenario from planner/config/scenarios.yaml (its differences from the default)")
    run.add_argument("--scenario", help="one demand scenario: jst_optimistic, jst_modest, jst_as_is or criepi_occto "
                                        "(default: the three JST scenarios)")
    run.add_argument("--years", help="comma-separated milestone years, e.g. 2030,2040,2050")
    run.add_argument("--rtt-bound-ms", type=float, dest="rtt_bound_ms", help="round-trip bound for latency-sensitive load [ms]")
    run.add_argument("--carbon-price", type=float, dest="carbon_price_jpy_per_t_co2", help="carbon price [JPY/t-CO2]")
    run.add_argument("--technologies", help="comma-separated cooling options, e.g. air,immersion,direct_to_chip")
    run.add_argument("--sites", dest="sites_file", help="candidate sites file (CSV, GeoJSON or GeoPackage)")
    run.add_argument("--sites-layer", dest="sites_layer", help="GeoPackage layer holding the candidate sites")
    run.add_argument("--results-dir", help="folder for results (default: results)")
    # One process more than cores: while one scenario writes its map and charts another solves (the default
    # plan's three scenarios took 49-50 s on 2 cores this way, 54-57 s two at a time).
    run.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1,
                     help="scenarios solved in parallel processes (default: cores + 1; fewer if memory is short)")
    maps = sub.add_parser("maps", help="redraw the map and charts of runs from their results.nc",
                          description="Redraw map.html (or, with --offline, the self-contained map_offline.html) and the "
                                      "PNG charts of each run folder from its results.nc.")
    maps.add_argument("runs", nargs="*", help="run folders (default: every run under --results-dir)")
    maps.add_argument("--results-dir", default="results", help="folder holding the runs (default: results)")
    maps.add_argument("--offline", action="store_true", help="inline Leaflet and use prefecture outlines as basemap: "
                                                              "opens with no network")
    compare = sub.add_parser("compare", help="map the differences between two runs",
                             description="Map sites added, removed and resized between run A and run B.")
    compare.add_argument("run_a")
    compare.add_argument("run_b")
    compare.add_argument("--year", type=int, help="milestone year to compare (default: the last)")
    compare.add_argument("--out", help="output HTML (default: <results-dir>/compare-<A>-<B>.html)")
    compare.add_argument("--offline", action="store_true", help="self-contained HTML that opens with no network")
    report = sub.add_parser("report", help="write each run's report.html (self-contained, English and Japanese)",
                            description="Write report.html into each run folder from its results.nc: headline, map, "
                                        "capacity, cooling, watts or bits, power, shortfalls, why each site, sites not "
                                        "chosen, assumptions and data provenance. Opens with no network.")
    report.add_argument("runs", nargs="*", help="run folders (default: every run under --results-dir)")
    report.add_argument("--results-dir", default="results", help="folder holding the runs (default: results)")
    rcompare = sub.add_parser("report-compare", help="the report of two runs side by side, with the map of differences")
    rcompare.add_argument("run_a")
    rcompare.add_argument("run_b")
    rcompare.add_argument("--year", type=int, help="milestone year to compare (default: the last)")
    rcompare.add_argument("--out", help="output HTML (default: <results-dir>/report-<A>-<B>.html)")
    sweep = sub.add_parser("sweep", help="run a parameter sweep on Dask (resumable)",
                           description="Solve the cartesian product of the values in a sweep file on a local Dask "
                                       "cluster (SWEEP_WORKERS workers, default 2) or on DASK_SCHEDULER=tcp://host:port; "
                                       "already solved points are skipped. Writes <results-dir>/sweeps/<name>/<name>.nc, "
                                       ".csv and one PNG per swept key.")
    sweep.add_argument("file", help="sweep file, e.g. sweeps/carbon_price.yaml")
    sweep.add_argument("--results-dir", default="results", help="folder for results (default: results)")
    sweep.add_argument("--check", action="store_true", help="validate the sweep file and list its points, solve nothing")
    evaluate = sub.add_parser("evaluate", help="score a plan (site, year, MW per cooling) against the optimum",
                              description="Fix the build decisions of PLAN.csv (columns site_id, year, capacity_<tech>_mw, "
                                          "as in a run's summary.csv), optimise the rest, and report cost, emissions, "
                                          "unserved load and PUE against the optimum, the regret, the constraints the plan "
                                          "breaks and those that bind. Writes <results-dir>/<scenario>-evaluation-<plan>/.")
    evaluate.add_argument("plan")
    evaluate.add_argument("--config", help="YAML file with the keys to change from the default configuration")
    evaluate.add_argument("--named", help="a named scenario from planner/config/scenarios.yaml")
    evaluate.add_argument("--scenario", default="jst_modest", help="demand scenario (default jst_modest)")
    evaluate.add_argument("--years", help="comma-separated milestone years")
    evaluate.add_argument("--carbon-price", type=float, dest="carbon_price_jpy_per_t_co2")
    evaluate.add_argument("--sites", dest="sites_file")
    evaluate.add_argument("--sites-layer", dest="sites_layer", help="GeoPackage layer holding the candidate sites")
    evaluate.add_argument("--results-dir")
    commit = sub.add_parser("commitments", help="cost of the committed projects: the plan with and without them",
                            description="Solve the plan twice under the same assumptions, without and with the committed "
                                        "projects of sites/data/committed_projects.csv forced in, and print both optimal "
                                        "costs, their difference (the cost of the commitments) and the committed sites the "
                                        "free optimum would not have chosen. Writes <results-dir>/<scenario>/"
                                        "commitments.json and commitments.csv.")
    commit.add_argument("--scenario", default="jst_modest", help="demand scenario (default jst_modest)")
    _add_plan_options(commit)
    robust = sub.add_parser("robust", help="what to build now over all demand scenarios: two-stage stochastic plan",
                            description="Solve one first stage (sites, capacity and cooling, contracted supply, links and "
                                        "connections up to the first milestone) shared by every demand scenario, with "
                                        "recourse per scenario after it; report the here-and-now plan, its expected "
                                        "cost and its cost in each scenario, VSS, EVPI and the regret of each "
                                        "single-scenario plan. Resumable. Writes <results-dir>/robust/.")
    robust.add_argument("--probabilities", help="scenario=probability,... summing to 1 (default: "
                                                "grids/data/scenario_weights.csv)")
    robust.add_argument("--first-stage-year", type=int, help="last milestone decided now (default: the first)")
    _add_plan_options(robust, workers=True)
    alt = sub.add_parser("alternatives", help="near-optimal plans that differ most in sites and cooling (MGA)",
                         description="Solve the optimum of one scenario, then --count plans whose cost is within --slack "
                                     "of it and whose sites and cooling differ from it as much as possible, on Dask; "
                                     "report per site the share of alternatives that build it and map it. Resumable. "
                                     "Writes <results-dir>/alternatives-<scenario>/.")
    alt.add_argument("--slack", type=float, default=0.02, help="cost slack, a share of the optimum in (0, 1) (default 0.02)")
    alt.add_argument("--count", type=int, default=6, help="number of alternatives (default 6)")
    alt.add_argument("--scenario", default="jst_modest", help="demand scenario (default jst_modest)")
    _add_plan_options(alt, workers=True)
    bench = sub.add_parser("bench", help="benchmark model size and timings (bench/results.json)",
                           description="Build and solve the benchmark cases, print a table of sizes and median timings, "
                                       "and write bench/results.json.")
    bench.add_argument("--out", default="bench/results.json")
    bench.add_argument("--case", action="append", choices=["small", "default", "large", "full_year", "full_year_all_sites",
                                                           "representative_error"],
                       help="run only this case; repeatable (representative_error: representative-day plans against "
                            "the full-year optimum)")
    data = sub.add_parser("data", help="derive the reference year from raw operator, JEPX and JMA files",
                          description="Read a folder of the ten grid operators' area supply-demand records "
                                      "(eria_jukyu_YYYYMM_AA.csv, as published), the JEPX spot summary and JMA daily "
                                      "temperatures of one fiscal year, and write the planner's hourly reference year "
                                      "(grids/data/reference_year.nc) in one rename.")
    data_sub = data.add_subparsers(dest="source", required=True)
    tso = data_sub.add_parser("tso", help="reference year from the operators' records (エリア需給実績)")
    tso.add_argument("dir", help="folder searched for the operator files, spot_summary_<FY>.csv and daily_temp_*.csv")
    tso.add_argument("--fiscal-year", type=int, default=2024, dest="fiscal_year", help="fiscal year (April-March)")
    tso.add_argument("--jepx", help="JEPX spot summary CSV (default: spot_summary_<FY>.csv under DIR)")
    tso.add_argument("--jma", help="JMA daily temperature CSV (default: daily_temp_*.csv under DIR)")
    tso.add_argument("--out", help="output file (default: the package's grids/data/reference_year.nc)")
    cflp = sub.add_parser("cflp", help="solve an OR-Library capacitated warehouse location instance",
                          description="Solve an OR-Library cap* instance (Beasley 1988) with the planner's facility-location "
                                      "core and HiGHS; the last line printed is the optimal total cost.")
    cflp.add_argument("file", help="instance file, e.g. cap71.txt")
    return p


def _add_plan_options(p: argparse.ArgumentParser, workers: bool = False) -> None:
    """The options every planning command shares: configuration, named scenario, years, sites, results folder (and
    Dask workers)."""
    p.add_argument("--config", help="YAML file with the keys to change from the default configuration")
    p.add_argument("--named", help="a named scenario from planner/config/scenarios.yaml")
    p.add_argument("--years", help="comma-separated milestone years")
    p.add_argument("--sites", dest="sites_file", help="candidate sites file (CSV, GeoJSON or GeoPackage)")
    p.add_argument("--sites-layer", dest="sites_layer", help="GeoPackage layer holding the candidate sites")
    p.add_argument("--results-dir")
    if workers:
        p.add_argument("--workers", type=int, default=int(os.environ.get("SWEEP_WORKERS", "2")),
                       help="parallel Dask workers (default SWEEP_WORKERS or 2; DASK_SCHEDULER uses a cluster)")


def _years(text: str) -> list[int]:
    try:
        return [int(y) for y in text.split(",")]
    except ValueError:
        raise DataError(f"--years '{text}': expected comma-separated years such as 2030,2040") from None


def _probabilities(text: str) -> dict:
    out = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise DataError(f"--probabilities '{part}': expected scenario=probability, e.g. jst_modest=0.5") from None
        if not sep:
            raise DataError(f"--probabilities '{part}': expected scenario=probability, e.g. jst_modest=0.5")
    return out


def _load_config(args, *keys: str, **extra):
    """The configuration a sub-command asks for: its config file and named scenario, then ``keys`` of ``args``,
    ``--scenario``, ``--years`` and ``extra`` as overrides."""
    from planner.config import load_config

    overrides = {k: getattr(args, k) for k in (*keys, "sites_layer") if hasattr(args, k)}
    if getattr(args, "scenario", None):
        overrides["scenarios"] = [args.scenario]
    if args.years:
        overrides["years"] = _years(args.years)
    return load_config(args.config, {**overrides, **extra}, named=args.named)


def _run_folders(args) -> list:
    """The run folders named on the command line, else every run under ``--results-dir``."""
    from pathlib import Path

    runs = [Path(r) for r in args.runs] or sorted(p.parent for p in Path(args.results_dir).glob("*/results.nc"))
    if not runs:
        raise DataError(f"{args.results_dir}: no runs found; run `make run` first")
    return runs


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "cflp":
            import pyomo.environ as pyo

            from models.facility_location import build_cflp, read_orlib_cap
            from models.solve import solve

            inst = read_orlib_cap(args.file)
            m = build_cflp(inst)
            report = solve(m, mip_rel_gap=1e-9, objective_scale=1.0)
            opened = [i for i in m.FACILITIES if pyo.value(m.Open[i]) > 0.5]
            print(f"{len(inst.capacity)} warehouses, {len(inst.demand)} customers; HiGHS {report.termination}; "
                  f"open: {' '.join(str(i + 1) for i in opened)}")
            print(f"{pyo.value(m.Total_Cost):.3f}")
            return 0 if report.optimal else 1
        if args.command == "data":
            from pathlib import Path

            from planner.data import derive_reference_year, find_inputs, write_reference_year

            found = find_inputs(Path(args.dir), args.fiscal_year) if not (args.jepx and args.jma) else {}
            tso_dir = found.get("tso") or Path(args.dir)
            ds = derive_reference_year(tso_dir, Path(args.jepx or found["jepx"]), Path(args.jma or found["jma"]),
                                       args.fiscal_year)
            out = write_reference_year(ds, Path(args.out) if args.out else None)
            print(f"reference year FY{args.fiscal_year}: {ds.sizes['area']} areas x {ds.sizes['time']} h, "
                  f"{ds.sizes['station']} JMA stations")
            print(f"wrote {out}")
            return 0
        if args.command == "sweep":
            from planner.sweep import load_sweep, point_key, run_sweep

            plan = load_sweep(args.file, args.results_dir)
            if args.check:
                for coords, cfg in plan.points:
                    print(point_key(cfg), json.dumps(coords, sort_keys=True))
                print(f"{len(plan.points)} points valid")
                return 0
            out = run_sweep(plan, args.results_dir)
            print(f"results: {out['netcdf']}")
            print(f"table:   {out['csv']}")
            for png in out["pngs"]:
                print(f"plot:    {png}")
            return 0
        if args.command == "evaluate":
            cfg = _load_config(args, "carbon_price_jpy_per_t_co2", "sites_file", "results_dir")
            from planner.evaluate import evaluate_plan

            out = evaluate_plan(cfg, args.plan)
            print(f"evaluation: {out['folder']}")
            return 0
        if args.command == "commitments":
            cfg = _load_config(args, "sites_file", "results_dir")
            from planner.commitments import cost_of_commitments

            out = cost_of_commitments(cfg, args.scenario)
            print(f"report: {out['folder'] / 'commitments.json'}")
            return 0
        if args.command == "robust":
            robust = {}
            if args.probabilities:
                robust["probabilities"] = _probabilities(args.probabilities)
            if args.first_stage_year is not None:
                robust["first_stage_year"] = args.first_stage_year
            cfg = _load_config(args, "sites_file", "results_dir", **({"robust": robust} if robust else {}))
            if args.workers < 1:
                raise DataError(f"--workers {args.workers}: must be at least 1")
            from planner.robust import robust_plan

            out = robust_plan(cfg, workers=args.workers)
            print(f"results: {out['folder'] / 'robust.nc'}")
            print(f"plan:    {out['folder'] / 'here_and_now.csv'}")
            print(f"map:     {out['folder'] / 'map.html'}")
            return 0
        if args.command == "alternatives":
            if not 0 < args.slack < 1:
                raise DataError(f"--slack {args.slack}: must lie in (0, 1), a share of the optimum's cost")
            if not 1 <= args.count <= 100:
                raise DataError(f"--count {args.count}: must be 1-100")
            if args.workers < 1:
                raise DataError(f"--workers {args.workers}: must be at least 1")
            cfg = _load_config(args, "sites_file", "results_dir")
            from planner.alternatives import near_optimal_alternatives

            out = near_optimal_alternatives(cfg, args.scenario, args.slack, args.count, workers=args.workers)
            print(f"results: {out['folder'] / 'alternatives.nc'}")
            print(f"sites:   {out['folder'] / 'site_shares.csv'}")
            print(f"map:     {out['folder'] / 'map.html'}")
            return 0
        if args.command == "bench":
            from pathlib import Path

            from planner.bench import run_bench

            run_bench(Path(args.out), args.case)
            print(f"wrote {args.out}")
            return 0
        if args.command == "maps":
            from planner.pipeline import draw_maps

            runs = _run_folders(args)
            for run in runs:
                for path in draw_maps(run, offline=args.offline):
                    print(f"wrote {path}")
            return 0
        if args.command == "report":
            from planner.pipeline import write_report

            runs = _run_folders(args)
            if len(runs) == 1 or (os.cpu_count() or 1) == 1:
                for run in runs:
                    print(f"wrote {write_report(run)}")
                return 0
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # One report is one core for about 10 s (mostly the map); fork keeps the imported packages.
            with ProcessPoolExecutor(min(len(runs), os.cpu_count() or 1),
                                     mp_context=multiprocessing.get_context("fork")) as pool:
                for path in pool.map(write_report, runs):
                    print(f"wrote {path}")
            return 0
        if args.command == "report-compare":
            from pathlib import Path

            from planner.pipeline import compare_report

            a, b = Path(args.run_a), Path(args.run_b)
            out = Path(args.out) if args.out else a.parent / f"report-{a.name}-{b.name}.html"
            print(f"wrote {compare_report(a, b, out, args.year)}")
            return 0
        if args.command == "compare":
            from pathlib import Path

            from planner.pipeline import compare_runs

            a, b = Path(args.run_a), Path(args.run_b)
            out = Path(args.out) if args.out else a.parent / f"compare-{a.name}-{b.name}.html"
            path, counts = compare_runs(a, b, out, args.year, args.offline)
            print(", ".join(f"{k} {v}" for k, v in counts.items()))
            print(f"map: {path}")
            return 0
        if args.command == "run":
            technologies = {"technologies": [t.strip() for t in args.technologies.split(",") if t.strip()]} \
                if args.technologies else {}
            cfg = _load_config(args, "carbon_price_jpy_per_t_co2", "sites_file", "results_dir", "rtt_bound_ms",
                               **technologies)
            from planner.pipeline import run_plan  # heavy imports only once the input is known to be valid

            outs = run_plan(cfg, workers=args.workers)
            for out in outs:
                print(f"results: {out.results_nc}")
                print(f"summary: {out.summary_csv}")
                print(f"map:     {out.map_html}")
            print(f"report:  `make report` (python -m planner report {' '.join(str(o.run_dir) for o in outs)}) "
                  "writes report.html in each, to read offline or share")
            return 0
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # noqa: BLE001 - solver trouble is reported in one line, never as a traceback
        from models.solve import SolveError

        if isinstance(err, SolveError):
            print(f"error: {err}", file=sys.stderr)
            return 3
        if isinstance(err, (KeyboardInterrupt, SystemExit)):
            raise
        log = _write_traceback()
        print(f"internal error: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''} "
              f"(a bug: the traceback is in {log})", file=sys.stderr)
        return 1
    return 1


def _write_traceback() -> str:
    """Save the current exception's traceback where a bug report can pick it up; return its path."""
    import tempfile
    import time
    import traceback
    from pathlib import Path

    folder = Path(tempfile.gettempdir()) / "japan-dc-planner"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"error-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log"
    path.write_text(traceback.format_exc(), encoding="utf-8")
    return str(path)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
