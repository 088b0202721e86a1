"""SVG path data (`d`) to polylines: straight commands exact, curves and arcs sampled into segments."""

from __future__ import annotations

import math
import re

Point = tuple[float, float]
Subpath = tuple[list[Point], bool]  # points, closed

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_SEPARATORS = " \t\r\n,"
_ARGS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}
_STEPS = 8  # segments per sampled curve


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text, self.at = text, 0

    def skip(self) -> None:
        while self.at < len(self.text) and self.text[self.at] in _SEPARATORS:
            self.at += 1

    def command(self) -> str | None:
        self.skip()
        if self.at < len(self.text) and self.text[self.at].upper() in _ARGS:
            self.at += 1
            return self.text[self.at - 1]
        return None

    def number(self) -> float | None:
        self.skip()
        match = _NUMBER.match(self.text, self.at)
        if match is None:
            return None
        self.at = match.end()
        return float(match.group(0))

    def flag(self) -> float | None:
        self.skip()
        if self.at < len(self.text) and self.text[self.at] in "01":
            self.at += 1
            return float(self.text[self.at - 1])
        return None

    def args(self, command: str) -> list[float] | None:
        values: list[float] = []
        for index in range(_ARGS[command.upper()]):
            is_flag = command.upper() == "A" and index in (3, 4)
            value = self.flag() if is_flag else self.number()
            if value is None or not math.isfinite(value):
                return None
            values.append(value)
        return values


def parse(d: str, max_points: int) -> list[Subpath]:
    """The subpaths of `d`; parsing stops at the first error (as browsers do) or after `max_points` points."""
    scanner, subpaths = _Scanner(d), list[Subpath]()
    points: list[Point] = []
    current = start = (0.0, 0.0)
    control: Point | None = None  # last curve control point, for S/T reflection
    command: str | None = scanner.command()
    total = 0
    while command is not None and total < max_points:
        upper, relative = command.upper(), command.islower()
        if upper == "Z":
            if points:
                subpaths.append((points, True))
            points, current, control = [], start, None
            command = scanner.command()
            continue
        args = scanner.args(command)
        if args is None:
            break
        ox, oy = current if relative else (0.0, 0.0)
        new: list[Point] = []
        if upper == "M":
            if len(points) > 1:
                subpaths.append((points, False))
            current = start = (args[0] + ox, args[1] + oy)
            points, new = [current], []
            command = "l" if relative else "L"  # further pairs after M are line-tos
        elif upper == "L":
            new = [(args[0] + ox, args[1] + oy)]
        elif upper == "H":
            new = [(args[0] + (current[0] if relative else 0.0), current[1])]
        elif upper == "V":
            new = [(current[0], args[0] + (current[1] if relative else 0.0))]
        elif upper in ("C", "S", "Q", "T"):
            new, control = _curve(upper, args, current, control, ox, oy)
        elif upper == "A":
            end = (args[5] + ox, args[6] + oy)
            new = _arc(current, end, args[0], args[1], args[2], bool(args[3]), bool(args[4]))
        if upper not in ("C", "S", "Q", "T"):
            control = None
        if new:
            if not points:
                points = [current]
            points += new
            current = new[-1]
            total += len(new)
        following = scanner.command()
        if following is not None:
            command = following
        elif scanner.at >= len(scanner.text):
            break
    if len(points) > 1:
        subpaths.append((points, False))
    return subpaths


def _curve(
    kind: str, args: list[float], current: Point, control: Point | None, ox: float, oy: float
) -> tuple[list[Point], Point]:
    reflected = (2 * current[0] - control[0], 2 * current[1] - control[1]) if control else current
    if kind == "C":
        c1, c2, end = (args[0] + ox, args[1] + oy), (args[2] + ox, args[3] + oy), (args[4] + ox, args[5] + oy)
    elif kind == "S":
        c1, c2, end = reflected, (args[0] + ox, args[1] + oy), (args[2] + ox, args[3] + oy)
    else:
        q = (args[0] + ox, args[1] + oy) if kind == "Q" else reflected
        end = (args[2] + ox, args[3] + oy) if kind == "Q" else (args[0] + ox, args[1] + oy)
        c1 = (current[0] + 2 / 3 * (q[0] - current[0]), current[1] + 2 / 3 * (q[1] - current[1]))
        c2 = (end[0] + 2 / 3 * (q[0] - end[0]), end[1] + 2 / 3 * (q[1] - end[1]))
        return _cubic(current, c1, c2, end), q
    return _cubic(current, c1, c2, end), c2


def _cubic(p0: Point, p1: Point, p2: Point, p3: Point) -> list[Point]:
    out = []
    for step in range(1, _STEPS + 1):
        t = step / _STEPS
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
        out.append(
            (a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1])
        )
    return out


def _arc(
    start: Point, end: Point, rx: float, ry: float, angle: float, large: bool, sweep: bool
) -> list[Point]:
    """An elliptical arc (SVG endpoint form) sampled into points, per the SVG spec's centre conversion."""
    rx, ry = abs(rx), abs(ry)
    if rx == 0 or ry == 0 or start == end:
        return [end]
    phi = math.radians(angle % 360)
    cos, sin = math.cos(phi), math.sin(phi)
    dx, dy = (start[0] - end[0]) / 2, (start[1] - end[1]) / 2
    x1, y1 = cos * dx + sin * dy, -sin * dx + cos * dy
    grow = x1**2 / rx**2 + y1**2 / ry**2
    if grow > 1:
        rx, ry = rx * math.sqrt(grow), ry * math.sqrt(grow)
    numerator = max(0.0, rx**2 * ry**2 - rx**2 * y1**2 - ry**2 * x1**2)
    factor = math.sqrt(numerator / (rx**2 * y1**2 + ry**2 * x1**2))
    if large == sweep:
        factor = -factor
    cx1, cy1 = factor * rx * y1 / ry, -factor * ry * x1 / rx
    cx = cos * cx1 - sin * cy1 + (start[0] + end[0]) / 2
    cy = sin * cx1 + cos * cy1 + (start[1] + end[1]) / 2
    theta = math.atan2((y1 - cy1) / ry, (x1 - cx1) / rx)
    delta = math.atan2((-y1 - cy1) / ry, (-x1 - cx1) / rx) - theta
    if sweep and delta < 0:
        delta += 2 * math.pi
    elif not sweep and delta > 0:
        delta -= 2 * math.pi
    steps = max(2, int(abs(delta) / (math.pi / 8)) + 1)
    out = []
    for step in range(1, steps + 1):
        t = theta + delta * step / steps
        px, py = rx * math.cos(t), ry * math.sin(t)
        out.append((cos * px - sin * py + cx, sin * px + cos * py + cy))
    out[-1] = end
    return out
