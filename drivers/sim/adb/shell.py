"""The emulated phone's command line: enough of mksh for what bench tools send.

Supported: ``;``, ``&&``, ``||``, ``$?``, single and double quotes, ``> FILE`` and ``2>/dev/null``
redirection, and ``sleep``; every simple command goes to :meth:`PhoneState.run`. Faults from the
profile apply per command line: a delay, a hang (until the host closes the stream) or a replayed raw
answer.
"""

from __future__ import annotations

import asyncio
import re
import shlex

from drivers.sim.adb.phone import CommandResult, PhoneState

_STDERR_TO_NULL = re.compile(r"\s2>\s*/dev/null")
_OPERATORS = (";", "&&", "||")
# Characters that are part of a word for sh but not for shlex's defaults: `$?`, `pkg/.Receiver`,
# `key:value`, `a,b`, `{x}`, `@`, `%`, `+`.
_EXTRA_WORD_CHARS = "$?:,{}[]@%+#!^"


async def run_line(phone: PhoneState, line: str) -> CommandResult:
    """Run a whole command line as ``sh -c`` would, with the profile's faults."""
    faults = phone.faults
    phone.commands_served += 1
    delay_ms = float(faults.get("delay_ms", 0))
    if delay_ms:
        await asyncio.sleep(delay_ms / 1000)
    stripped = line.strip()
    if any(stripped.startswith(prefix) for prefix in faults.get("hang_on", [])):
        # A wedged system service: the command never answers; the stream's task is cancelled when the
        # host closes the stream or the link drops.
        await asyncio.Event().wait()
    raw = phone.data.get("raw_outputs", {}).get(stripped)
    if raw is not None:
        return CommandResult(str(raw))
    return await _run_list(phone, stripped)


async def _run_list(phone: PhoneState, line: str) -> CommandResult:
    lexer = shlex.shlex(_STDERR_TO_NULL.sub(" __STDERR_NULL__", line), posix=True, punctuation_chars=";&|>")
    lexer.wordchars += _EXTRA_WORD_CHARS
    try:
        tokens = list(lexer)
    except ValueError as exc:
        return CommandResult(stderr=f"/system/bin/sh: syntax error: {exc}\n", exit_code=1)
    out: list[str] = []
    err: list[str] = []
    both: list[str] = []
    result = CommandResult()
    segment: list[str] = []
    operator = ";"
    for token in [*tokens, ";"]:
        if token not in _OPERATORS:
            segment.append(token)
            continue
        if segment and (operator == ";" or (operator == "&&") == (phone.last_exit == 0)):
            result = await _run_simple(phone, segment)
            phone.last_exit = result.exit_code
            out.append(result.stdout)
            err.append(result.stderr)
            both.append(result.stdout + result.stderr)
        segment, operator = [], token
    return CommandResult("".join(out), "".join(err), phone.last_exit, "".join(both))


async def _run_simple(phone: PhoneState, argv: list[str]) -> CommandResult:
    argv = [a.replace("$?", str(phone.last_exit)) for a in argv]
    stderr_null = "__STDERR_NULL__" in argv
    argv = [a for a in argv if a != "__STDERR_NULL__"]
    target = None
    if ">" in argv:
        at = argv.index(">")
        target = argv[at + 1] if at + 1 < len(argv) else None
        argv = argv[:at]
    if not argv:
        return CommandResult()
    if argv[0] == "sleep":
        await asyncio.sleep(float(argv[1]) if len(argv) > 1 else 0)
        result = CommandResult()
    else:
        result = phone.run(argv)
    if target is not None:
        if target != "/dev/null":
            phone.files[target] = result.stdout
        result = CommandResult("", result.stderr, result.exit_code)
    if stderr_null:
        result = CommandResult(result.stdout, "", result.exit_code)
    return result
