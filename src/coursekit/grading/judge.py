"""Running one submission in its kernel and judging its answers in the grader's process.

:class:`SubmissionRun` runs the planned cells in order (each with its time limit), reads each question's answer
as plain data after its cells (:mod:`coursekit.grading.export`), and runs the hidden tests on it
(:mod:`coursekit.grading.hidden`); for a function question the tests call the student's function through
:class:`KernelCall`. Any fault while judging one question becomes that question's ``error`` row.
"""

from __future__ import annotations

import ast
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coursekit.grading.export import (
    CODES,
    MAX_DEPTH,
    ExportError,
    Unexportable,
    decode,
    decode_json,
    encode_args,
)
from coursekit.grading.hidden import TestOutcome, run_tests
from coursekit.grading.kernel import Kernel, Reply
from coursekit.grading.reconcile import Plan
from coursekit.grading.results import QuestionResult
from coursekit.messages import msg
from coursekit.plain import plain_view
from coursekit.spec import StudentFunctionError, StudentTimeout

if TYPE_CHECKING:
    from coursekit.grading.grader import Context

#: Seconds the setup cell may take at least, whatever ``--cell-timeout`` says: it imports libraries and loads the
#: course data, the same work for every submission, and can be slow on a busy machine.
SETUP_TIMEOUT = 60.0
_EXPORT = "__import__('coursekit.grading.export', fromlist=['dump'])"


class GraderFailure(RuntimeError):
    """A problem of the grading machine (a kernel that cannot start), not of a submission."""


# The exporter (coursekit.grading.export) reports problems as codes, since the kernel side cannot be trusted to
# word them; here each code becomes a sentence of the catalogue. "no_text" is this module's own code.
_EXPORT_PROBLEMS = {
    "too_many_values": "export.too_many_values",
    "too_large": "export.too_large",
    "too_deep": "export.too_deep",
    "not_a_function": "export.not_a_function",
    "not_text": "grade.reply.not_text",
    "no_text": "grade.reply.no_text",
    "reply_too_long": "export.reply_too_long",
    "not_json": "export.not_json",
    "reply_shape": "grade.reply.shape",
    "malformed": "export.malformed",
    "unhashable_key": "export.unhashable_key",
}
_TEXT_FIELDS = {"type", "where"}  # the only parameters that may be text; the others are counts
_EXPORT_REASONS = {
    "too_deep": "export.reason.too_deep",
    "contains_itself": "export.reason.contains_itself",
    "not_plain": "export.reason.not_plain",
}


def export_problem(code: object, params: object = None) -> str:
    """The student-facing sentence for an exporter's problem code and its parameters.

    Whatever the kernel sent (an unknown code, parameters missing or of the wrong type), the result is a
    sentence of the catalogue: ``export.unknown`` for anything this grader does not know.
    """
    key = _EXPORT_PROBLEMS.get(code) if isinstance(code, str) else None
    if key is None:
        return msg("export.unknown")
    given = params if isinstance(params, dict) else {}
    fields: dict[str, str] = {}
    for name in CODES.get(str(code), ()):
        value = given.get(name)
        if name in _TEXT_FIELDS and isinstance(value, str):
            fields[name] = value[:80]  # a type's name: the student's own object names it anyway
        elif isinstance(value, int) and not isinstance(value, bool):
            fields[name] = f"{value:,}"
        else:
            return msg("export.unknown")
    return msg(key, **fields)


def export_reason(code: object) -> str:
    """Why a value could not be exported (an :class:`Unexportable`'s ``reason`` code), for a student."""
    key = _EXPORT_REASONS.get(code) if isinstance(code, str) else None
    return msg(key, depth=MAX_DEPTH) if key else msg("export.reason.unknown")


def _reply_problem(err: object) -> str:
    """The sentence for an ``{"err": [code, params]}`` reply (any other shape: the generic sentence)."""
    if isinstance(err, list) and len(err) == 2:
        return export_problem(err[0], err[1])
    return export_problem(None)


@dataclass
class _QState:
    ran: bool = False
    error: str = ""
    timeout: str = ""


class SubmissionRun:
    """The state of grading one submission in one kernel."""

    def __init__(
        self,
        plan: Plan,
        ctx: Context,
        kernel: Kernel,
        deadline: float,
        record: set[str] | None = None,
    ) -> None:
        self.record = record
        self.plan = plan
        self.ctx = ctx
        self.kernel = kernel
        self.deadline = deadline
        self.states = {q.qid: _QState() for q in ctx.exercise.questions}
        self.results: dict[str, QuestionResult] = {}
        self.dead: tuple[str, str] | None = None  # (status, why) once the kernel is gone
        self.notes: list[str] = []

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def refuses_non_finite(self, qid: str) -> bool:
        """True when a NaN or infinity in question ``qid``'s answer must fail it.

        It is refused unless the reference solution's own answer holds one (seen in the preflight, which runs
        with ``record`` set and notes each such question instead).
        """
        if self.record is not None:
            self.record.add(qid)
            return False
        return qid not in self.ctx.non_finite_ok

    def budget(self, role: str = "") -> float:
        """Seconds the next request may take: the per-cell limit, or for the setup cell (imports and data,
        the same for everyone) at least :data:`SETUP_TIMEOUT`; never past the submission's deadline."""
        allowed = self.ctx.limits.cell_timeout
        if role == "setup":
            allowed = max(allowed, SETUP_TIMEOUT)
        return max(0.0, min(allowed, self.remaining()))

    def _submission_timeout(self) -> tuple[str, str]:
        return (
            "timeout",
            msg("grade.notebook_timeout", limit=f"{self.ctx.limits.timeout:g}"),
        )

    def run(self) -> None:
        pending: list[str] = []
        for step in self.plan.steps:
            if self.dead or self.ctx.stop.is_set():
                break
            if step.role == "solution" and pending:
                self.flush(pending)
                pending = []
                if self.dead:
                    break
            if self.remaining() <= 0:
                self.dead = self._submission_timeout()
                break
            budget = self.budget(step.role)
            reply = self.kernel.execute(step.source, budget)
            where = (
                msg("grade.where.cell", cell=step.cell)
                if step.cell is not None
                else msg("grade.where.reinserted")
            )
            if step.role in ("solution", "check") and step.qid:
                key = "grade.where.answer" if step.role == "solution" else "grade.where.check"
                where += msg(key, qid=step.qid)
            if step.role == "solution" and step.qid:
                self.states[step.qid].ran = True
                pending.append(step.qid)
            self._record(step.role, step.qid, where, reply, budget)
        if not self.dead and pending:
            self.flush(pending)

    def _record(self, role: str, qid: str | None, where: str, reply: Reply, budget: float) -> None:
        st = self.states[qid] if qid else None
        if reply.status == "ok":
            return
        if reply.status == "error":
            if reply.ename == "MemoryError":
                # free what the failed cell still holds, so the cells after it can run
                self.kernel.execute("", self.budget(), {"r": f"{_EXPORT}.release_failed_cell()"})
            text = f"{reply.ename}: {reply.evalue}".strip(": ")[:300]
            if role == "solution" and st is not None:
                st.error = msg("grade.cell.error", error=text)
            elif role == "setup":
                self.notes.append(msg("grade.setup.error", error=text))
            elif role == "code" and len(self.notes) < 8:
                # (a check cell's error only echoes its answer cell's, which has its own row)
                self.notes.append(msg("grade.code.error", where=where, error=text))
            return
        if reply.status == "timeout":
            allowed = self.ctx.limits.cell_timeout
            if role == "setup":
                allowed = max(allowed, SETUP_TIMEOUT)
            whole = (
                budget < allowed
            )  # cut short by the submission's deadline, not by the cell limit
            if whole:
                self.kernel.kill()
                self.dead = self._submission_timeout()
            if role == "solution" and st is not None:
                st.timeout = (
                    msg("grade.cell.timeout", limit=f"{budget:g}", detail=reply.detail)
                    if not whole
                    else msg("grade.cell.out_of_time", limit=f"{self.ctx.limits.timeout:g}")
                )
            else:
                self.notes.append(msg("grade.code.stopped", where=where, detail=reply.detail))
            if reply.killed and not self.dead:
                self.dead = ("error", msg("grade.killed_after", what=where))
            return
        # died
        self.notes.append(msg("grade.died.note", where=where, detail=reply.detail))
        if role == "solution" and st is not None:
            st.error = msg("grade.cell.died", detail=reply.detail)
        self.dead = ("error", msg("grade.died", where=where, detail=reply.detail))

    # ---- answers and hidden tests -----------------------------------------------------------------------

    def flush(self, qids: list[str]) -> None:
        for qid in qids:
            if qid in self.results:
                continue
            try:
                self.results[qid] = self.grade_question(qid)
            except GraderFailure:
                raise
            except Exception as exc:  # noqa: BLE001 - one answer's fault is that question's error row
                q = self.ctx.exercise.question(qid)
                text = msg("grade.question.fault", error=fault_text(exc))
                self.results[qid] = QuestionResult(qid, 0.0, q.points, "error", text, [text])

    def grade_question(self, qid: str) -> QuestionResult:
        q = self.ctx.exercise.question(qid)
        st, qp = self.states[qid], self.plan.questions[qid]
        notes = [*qp.tampered, *qp.restored]
        if qp.missing:
            text = msg("grade.answer_cell.missing")
            return QuestionResult(qid, 0.0, q.points, "missing", text, [text, *notes])
        if st.timeout:
            return QuestionResult(qid, 0.0, q.points, "timeout", st.timeout, [st.timeout, *notes])
        if st.error:
            return QuestionResult(qid, 0.0, q.points, "error", st.error, [st.error, *notes])
        tests = self.ctx.tests[qid]
        if q.kind == "function":
            caller = KernelCall(self, q.answer_name or "", qid)
            alive_before = self.dead is None
            outcomes = run_tests(tests, q.points, call=caller)
            if caller.calls and caller.all_ellipsis:
                return self._not_attempted(q.qid, q.points, notes, qp.tampered)
            if alive_before and self.dead and not any(o.passed for o in outcomes):
                # the student's function took the kernel down (os._exit, a signal): an error, not a wrong answer
                first = next((o.message for o in outcomes if not o.passed), self.dead[1])
                status = "timeout" if any(o.timed_out for o in outcomes) else "error"
                return QuestionResult(qid, 0.0, q.points, status, first, [first, *notes])
            extra: list[str] = []
        else:
            value, problem = self.export(q.answer_name or "")
            if problem is not None:
                status, text = problem
                if self.dead and status == "error":
                    text = self.dead[1]
                return QuestionResult(qid, 0.0, q.points, status, text, [text, *notes])
            if is_untouched(value):
                return self._not_attempted(q.qid, q.points, notes, qp.tampered)
            extra = []
            if isinstance(value, Unexportable):
                extra.append(
                    msg(
                        "grade.answer.unexportable",
                        type=value.type_name,
                        reason=export_reason(value.reason),
                    )
                )
            view = None if isinstance(value, Unexportable) else plain_view(value)
            bad = non_finite(view)
            if bad and self.refuses_non_finite(qid):
                text = msg("grade.answer.non_finite", value=bad)
                return QuestionResult(qid, 0.0, q.points, "failed", text, [text, *notes])
            outcomes = run_tests(tests, q.points, answer=view)
        return self._verdict(qid, q.points, outcomes, extra, notes, bool(qp.tampered))

    def _not_attempted(
        self, qid: str, points: float, notes: list[str], tampered: list[str]
    ) -> QuestionResult:
        text = msg("grade.not_attempted")
        status = "tampered" if tampered else "not_attempted"
        return QuestionResult(qid, 0.0, points, status, " ".join([*tampered, text]), [text, *notes])

    def _verdict(
        self,
        qid: str,
        points: float,
        outcomes: list[TestOutcome],
        extra: list[str],
        notes: list[str],
        tampered: bool,
    ) -> QuestionResult:
        earned = round(sum(o.points for o in outcomes), 4)
        passed = sum(o.passed for o in outcomes)
        failures = list(dict.fromkeys(o.message for o in outcomes if not o.passed))
        if passed == len(outcomes):
            status, summary = "passed", msg("grade.tests.all_passed", total=len(outcomes))
        else:
            status = "partial" if earned > 0 else "failed"
            if any(o.timed_out for o in outcomes):
                status = "timeout" if earned == 0 else status
            summary = msg("grade.tests.passed", passed=passed, total=len(outcomes))
        text = " ".join([summary, *extra, *failures])
        if tampered and status in ("passed", "partial", "failed"):
            text = " ".join([*notes[:1], text])
            status = "tampered"
        details = [*extra, *failures] if failures or extra else [summary]
        return QuestionResult(qid, earned, points, status, text, [*details, *notes])

    def export(self, name: str) -> tuple[Any, tuple[str, str] | None]:
        """Ask the kernel for the value of ``name``; return (value, None) or (None, (status, message))."""
        if self.dead:
            return None, self.dead
        if self.remaining() <= 0:
            self.dead = self._submission_timeout()
            return None, self.dead
        reply = self.kernel.execute("", self.budget(), {"a": f"{_EXPORT}.dump({name})"})
        if reply.status == "died":
            self.dead = ("error", msg("grade.export.died", detail=reply.detail))
            return None, self.dead
        if reply.status == "timeout":
            if reply.killed:
                self.dead = ("error", msg("grade.export.killed"))
            return None, ("timeout", msg("grade.export.timeout", name=name, detail=reply.detail))
        if reply.status != "ok":
            return None, (
                "error",
                msg("grade.export.error", name=name, error_type=reply.ename, error=reply.evalue),
            )
        entry = reply.expressions.get("a") or {}
        if entry.get("status") != "ok":
            ename, evalue = str(entry.get("ename", "")), str(entry.get("evalue", ""))[:200]
            if ename == "NameError":
                return None, ("failed", msg("grade.export.undefined", name=name))
            return None, (
                "error",
                msg("grade.export.error", name=name, error_type=ename, error=evalue),
            )
        try:
            outer = decode_json(_plain_text(entry))
            if "err" in outer:
                why = _reply_problem(outer["err"])
                return None, ("error", msg("grade.export.unreadable", name=name, why=why))
            if "v" not in outer:
                raise ExportError("reply_shape")
            return decode(outer["v"]), None
        except ExportError as exc:
            why = export_problem(exc.code, exc.params)
            return None, ("error", msg("grade.export.unreadable", name=name, why=why))


def fault_text(exc: BaseException) -> str:
    """``"KeyError: 'x'"`` for an unexpected exception, safe whatever its message does."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a message that cannot be turned into text
        text = ""
    return f"{type(exc).__name__}: {text}"[:300].rstrip(": ")


def non_finite(value: Any) -> str:
    """Name the first NaN or infinity in a plain answer (``"NaN"``, ``"inf"``, ``"-inf"``), or ``""``.

    Looks through lists, tuples, sets, dict values and the values of Series and DataFrames (not their labels).
    """
    import math

    import numpy as np
    import pandas as pd

    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return "NaN" if math.isnan(item) else ("inf" if item > 0 else "-inf")
        elif isinstance(item, complex):
            todo += [item.real, item.imag]
        elif isinstance(item, list | tuple | set | frozenset):
            todo.extend(item)
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, pd.Series | pd.DataFrame):
            frame = item.to_frame() if isinstance(item, pd.Series) else item
            for _, column in frame.items():
                if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
                    column.dtype
                ):
                    values = column.to_numpy(dtype=float, na_value=np.nan)
                    bad = values[~np.isfinite(values)]
                    if bad.size:
                        return non_finite(float(bad[0]))
                else:
                    todo.extend(v for v in column.tolist() if isinstance(v, float | complex))
    return ""


def is_untouched(value: Any) -> bool:
    """True for the stub of the student edition: ``...``, or a non-empty container holding only ``...``.

    ``value`` is already plain data (decoded in the grader), so this inspects no student object.
    """
    if value is Ellipsis:
        return True
    if isinstance(value, list | tuple | set | frozenset) and value:
        return all(is_untouched(v) for v in value)
    if isinstance(value, dict) and value:
        return all(is_untouched(v) for v in value.values())
    return False


def _plain_text(entry: dict[str, Any]) -> str:
    """The string a ``user_expressions`` entry carries (its ``text/plain`` is the repr of a str)."""
    data = entry.get("data")
    text = data.get("text/plain") if isinstance(data, dict) else None
    if not isinstance(text, str):
        raise ExportError("no_text")
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
        raise ExportError("not_text") from exc
    if not isinstance(value, str):
        raise ExportError("not_text")
    return value


def _describe_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    def short(v: Any) -> str:
        shape = getattr(v, "shape", None)
        if shape is not None and hasattr(v, "columns"):
            return msg("check.args.frame", rows=shape[0], columns=shape[1])
        if shape is not None:
            return msg("grade.args.sized", type=type(v).__name__, length=len(v))
        text = repr(v)
        return text if len(text) <= 40 else text[:37] + "..."

    parts = [short(a) for a in args] + [f"{k}={short(v)}" for k, v in kwargs.items()]
    return ", ".join(parts)


class KernelCall:
    """``call(*args)`` for hidden tests: runs the student's function in the kernel, returns plain data.

    Each call is one round trip; its arguments and result travel as plain data. The call is stopped after the
    per-cell time limit.
    """

    def __init__(self, run: SubmissionRun, name: str, qid: str = "") -> None:
        self.run = run
        self.name = name
        self.qid = qid
        self.calls = 0
        self.all_ellipsis = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        run = self.run
        label = f"{self.name}({_describe_args(args, kwargs)})"
        if run.dead:
            raise StudentFunctionError(msg("grade.call.dead", call=label, why=run.dead[1]))
        if run.remaining() <= 0:
            run.dead = run._submission_timeout()
            raise StudentTimeout(msg("grade.call.out_of_time", call=label))
        payload = encode_args(args, kwargs)
        expr = f"{_EXPORT}.call({self.name}, {payload!r})"
        budget = run.budget()
        reply = run.kernel.execute("", budget, {"r": expr})
        if reply.status == "died":
            run.dead = ("error", msg("grade.call.died", call=label, detail=reply.detail))
            raise StudentFunctionError(
                msg("grade.call.stopped_kernel", call=label, detail=reply.detail)
            )
        if reply.status == "timeout":
            if reply.killed:
                run.dead = ("error", msg("grade.killed_after", what=label))
            raise StudentTimeout(msg("grade.call.timeout", call=label, limit=f"{budget:g}"))
        entry = reply.expressions.get("r") or {}
        if reply.status != "ok" or entry.get("status") != "ok":
            ename = str(entry.get("ename", reply.ename))
            if ename == "NameError":
                raise StudentFunctionError(msg("grade.call.undefined", name=self.name))
            raise StudentFunctionError(
                msg("grade.call.error", call=label, error_type=ename, error=entry.get("evalue", ""))
            )
        try:
            outer = decode_json(_plain_text(entry))
        except ExportError as exc:
            why = export_problem(exc.code, exc.params)
            raise StudentFunctionError(msg("grade.call.unreadable", call=label, why=why)) from exc
        self.calls += 1
        if "raised" in outer:
            kind, message = (list(outer["raised"]) + ["", ""])[:2]
            self.all_ellipsis = False
            raised = msg("grade.call.raised", call=label, error_type=kind, error=message)
            raise StudentFunctionError(raised.rstrip(": "), str(kind))
        if "err" in outer:
            self.all_ellipsis = False
            err = outer["err"]
            if isinstance(err, list) and err and err[0] == "not_a_function":
                error = _reply_problem(err)
                raised = msg("grade.call.raised", call=label, error_type="TypeError", error=error)
                raise StudentFunctionError(raised, "TypeError")
            why = _reply_problem(err)
            raise StudentFunctionError(msg("grade.call.unreadable", call=label, why=why))
        try:
            value = decode(outer.get("v"))
        except ExportError as exc:
            why = export_problem(exc.code, exc.params)
            raise StudentFunctionError(msg("grade.call.unreadable", call=label, why=why)) from exc
        if not is_untouched(value):
            self.all_ellipsis = False
        if isinstance(value, Unexportable):
            raise StudentFunctionError(
                msg(
                    "grade.call.unexportable",
                    call=label,
                    type=value.type_name,
                    reason=export_reason(value.reason),
                )
            )
        view = plain_view(value)
        bad = non_finite(view)
        if bad and run.refuses_non_finite(self.qid):
            raise StudentFunctionError(msg("grade.call.non_finite", call=label, value=bad))
        return view
