"""Independent optima for the correct-program corpus, by brute force in exact arithmetic.

No solver is involved: LPs by vertex enumeration with Fractions, integer programs by enumeration, job shops by
enumerating machine orders. Run `python3 reference_optima.py` to reprint the table that CorrectProgramTests pins.
"""
from fractions import Fraction as F
from itertools import combinations, permutations, product


def solve_linear(rows, rhs):
    n = len(rows)
    m = [list(map(F, r)) + [F(b)] for r, b in zip(rows, rhs)]
    for col in range(n):
        piv = next((r for r in range(col, n) if m[r][col] != 0), None)
        if piv is None:
            return None
        m[col], m[piv] = m[piv], m[col]
        for r in range(n):
            if r != col and m[r][col] != 0:
                f = m[r][col] / m[col][col]
                m[r] = [a - f * b for a, b in zip(m[r], m[col])]
    return [m[i][n] / m[i][i] for i in range(n)]


def lp(c, le=(), ge=(), eq=(), maximize=False):
    """Constraints as (coefficients, rhs); every variable is >= 0. Returns the optimum or None if infeasible."""
    n = len(c)
    cons = [(a, b, '<=') for a, b in le] + [(a, b, '>=') for a, b in ge] + [(a, b, '=') for a, b in eq]
    cons += [([1 if j == i else 0 for j in range(n)], 0, '>=') for i in range(n)]
    eqs = [k for k, con in enumerate(cons) if con[2] == '=']
    others = [k for k, con in enumerate(cons) if con[2] != '=']
    best = None
    for pick in combinations(others, n - len(eqs)):
        active = eqs + list(pick)
        x = solve_linear([cons[k][0] for k in active], [cons[k][1] for k in active])
        if x is None:
            continue
        ok = True
        for a, b, s in cons:
            v = sum(F(ai) * xi for ai, xi in zip(a, x))
            if (s == '<=' and v > b) or (s == '>=' and v < b) or (s == '=' and v != b):
                ok = False
                break
        if ok:
            val = sum(F(ci) * xi for ci, xi in zip(c, x))
            if best is None or (val > best if maximize else val < best):
                best = val
    return best


def knapsack(values, weights, cap):
    n = len(values)
    return max(sum(values[i] for i in range(n) if m >> i & 1) for m in range(1 << n)
               if sum(weights[i] for i in range(n) if m >> i & 1) <= cap)


def assignment(cost):
    n = len(cost)
    return min(sum(cost[i][p[i]] for i in range(n)) for p in permutations(range(n)))


def tsp(d):
    n = len(d)
    return min(d[0][p[0]] + sum(d[p[i]][p[i + 1]] for i in range(len(p) - 1)) + d[p[-1]][0]
               for p in permutations(range(1, n)))


def facility(fixed, serve):
    best = None
    for mask in range(1, 1 << len(fixed)):
        open_ = [i for i in range(len(fixed)) if mask >> i & 1]
        cost = sum(fixed[i] for i in open_) + sum(min(serve[i][j] for i in open_) for j in range(len(serve[0])))
        best = cost if best is None else min(best, cost)
    return best


def jobshop(jobs):
    machines = sorted({m for job in jobs for m, _ in job})
    on = {m: [(j, k) for j, job in enumerate(jobs) for k, (mm, _) in enumerate(job) if mm == m] for m in machines}
    best = None
    for orders in product(*[list(permutations(on[m])) for m in machines]):
        nxt = {}
        for order in orders:
            for a, b in zip(order, order[1:]):
                nxt.setdefault(b, []).append(a)
        start, done, changed = {}, set(), True
        tasks = [(j, k) for j, job in enumerate(jobs) for k in range(len(job))]
        for _ in range(len(tasks) + 1):
            for t in tasks:
                if t in done:
                    continue
                preds = ([(t[0], t[1] - 1)] if t[1] > 0 else []) + nxt.get(t, [])
                if all(p in done for p in preds):
                    start[t] = max([start[p] + jobs[p[0]][p[1]][1] for p in preds], default=0)
                    done.add(t)
        if len(done) < len(tasks):
            continue  # cyclic order
        span = max(start[t] + jobs[t[0]][t[1]][1] for t in tasks)
        best = span if best is None else min(best, span)
    return best


def integer_max(c, le, bounds):
    best = None
    for x in product(*[range(lo, hi + 1) for lo, hi in bounds]):
        if all(sum(a * v for a, v in zip(row, x)) <= b for row, b in le):
            val = sum(ci * v for ci, v in zip(c, x))
            best = val if best is None else max(best, val)
    return best


def lot_sizing(demand, setup, unit, hold, cap):
    # Enumerate production plans period by period (small integer demands), exact.
    T = len(demand)
    best = [None]

    def go(t, stock, cost):
        if t == T:
            if stock == 0 and (best[0] is None or cost < best[0]):
                best[0] = cost
            return
        remaining = sum(demand[t:])
        for p in range(0, min(cap, remaining - stock) + 1):
            s = stock + p - demand[t]
            if s < 0:
                continue
            go(t + 1, s, cost + (setup[t] if p > 0 else 0) + unit[t] * p + hold * s)

    go(0, 0, 0)
    return best[0]


def weighted_completion(p, w):
    best = None
    for order in permutations(range(len(p))):
        t, total = 0, 0
        for j in order:
            t += p[j]
            total += w[j] * t
        best = total if best is None else min(best, total)
    return best


def set_cover(cost, covers, universe):
    best = None
    for mask in range(1 << len(cost)):
        chosen = [i for i in range(len(cost)) if mask >> i & 1]
        if set().union(*[covers[i] for i in chosen]) >= universe:
            c = sum(cost[i] for i in chosen)
            best = c if best is None else min(best, c)
    return best


def colors(n, edges):
    for k in range(1, n + 1):
        for assign in product(range(k), repeat=n):
            if all(assign[a] != assign[b] for a, b in edges):
                return k


def bins(sizes, cap):
    n = len(sizes)
    for k in range(1, n + 1):
        for assign in product(range(k), repeat=n):
            if all(sum(s for s, a in zip(sizes, assign) if a == b) <= cap for b in range(k)):
                return k


KNAP_V = [60, 100, 120, 80, 30, 70, 40, 90]
KNAP_W = [10, 20, 30, 15, 5, 25, 12, 22]
ASSIGN4 = [[90, 80, 75, 70], [35, 85, 55, 65], [125, 95, 90, 95], [45, 110, 95, 115]]
ASSIGN5 = [[9, 2, 7, 8, 6], [6, 4, 3, 7, 5], [5, 8, 1, 8, 7], [7, 6, 9, 4, 8], [3, 7, 6, 5, 9]]
DIST6 = [[0, 12, 10, 19, 8, 14], [12, 0, 3, 7, 2, 11], [10, 3, 0, 6, 20, 4], [19, 7, 6, 0, 4, 9],
         [8, 2, 20, 4, 0, 13], [14, 11, 4, 9, 13, 0]]
DIST7 = [[0, 29, 20, 21, 16, 31, 100], [29, 0, 15, 29, 28, 40, 72], [20, 15, 0, 15, 14, 25, 81],
         [21, 29, 15, 0, 4, 12, 92], [16, 28, 14, 4, 0, 16, 94], [31, 40, 25, 12, 16, 0, 95],
         [100, 72, 81, 92, 94, 95, 0]]
JOBS_A = [[(0, 3), (1, 2), (2, 2)], [(0, 2), (2, 1), (1, 4)], [(1, 4), (2, 3)]]
JOBS_B = [[(0, 2), (1, 5), (2, 3)], [(1, 4), (0, 1), (2, 2)], [(2, 3), (1, 2), (0, 4)]]
PETERSEN = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 0), (0, 5), (1, 6), (2, 7), (3, 8), (4, 9),
            (5, 7), (7, 9), (9, 6), (6, 8), (8, 5)]

TABLE = {
    'lp_wyndor': lp([3, 5], le=[([1, 0], 4), ([0, 2], 12), ([3, 2], 18)], maximize=True),
    'lp_whiskas_blend': lp([F('0.013'), F('0.008')], eq=[([1, 1], 100)],
                           ge=[([F('0.100'), F('0.200')], 8), ([F('0.080'), F('0.100')], 6)],
                           le=[([F('0.001'), F('0.005')], 2), ([F('0.002'), F('0.005')], F('0.4'))]),
    'lp_transport': lp([4, 6, 9, 5, 3, 8], le=[([1, 1, 1, 0, 0, 0], 50), ([0, 0, 0, 1, 1, 1], 60)],
                       eq=[([1, 0, 0, 1, 0, 0], 30), ([0, 1, 0, 0, 1, 0], 40), ([0, 0, 1, 0, 0, 1], 35)]),
    'lp_diet': lp([2, 3, 1], ge=[([10, 20, 5], 100), ([2, 1, 3], 24), ([0, 4, 1], 12)]),
    'lp_production_pdlp': lp([20, 30], le=[([1, 2], 40), ([3, 1], 45)], maximize=True),
    # periods 1..4: production p1..p4 (<= 60), stock s1..s4; p_t + s_{t-1} - s_t = demand_t
    'lp_inventory': lp([10, 12, 11, 13, 1, 1, 1, 1],
                       le=[([1, 0, 0, 0, 0, 0, 0, 0], 60), ([0, 1, 0, 0, 0, 0, 0, 0], 60),
                           ([0, 0, 1, 0, 0, 0, 0, 0], 60), ([0, 0, 0, 1, 0, 0, 0, 0], 60)],
                       eq=[([1, 0, 0, 0, -1, 0, 0, 0], 40), ([0, 1, 0, 0, 1, -1, 0, 0], 60),
                           ([0, 0, 1, 0, 0, 1, -1, 0], 75), ([0, 0, 0, 1, 0, 0, 1, -1], 25)]),
    'mb_glop_production': lp([2, 3, 1], le=[([1, 1, 1], 10), ([2, 1, 0], 12), ([0, 1, 3], 15)], maximize=True),
    'lp_text_wyndor': lp([3, 5], le=[([1, 0], 4), ([0, 2], 12), ([3, 2], 18)], maximize=True),
    'mps_text_integer': integer_max([5, 4], [([6, 4], 24), ([1, 2], 6)], [(0, 10), (0, 10)]),
    'mip_knapsack_scip': knapsack(KNAP_V, KNAP_W, 70),
    'cp_knapsack': knapsack(KNAP_V, KNAP_W, 70),
    'mb_knapsack': knapsack(KNAP_V, KNAP_W, 70),
    'lp_text_knapsack': knapsack(KNAP_V, KNAP_W, 70),
    'mip_assignment_scip': assignment(ASSIGN4),
    'cp_assignment': assignment(ASSIGN5),
    'mip_transport_cbc': lp([4, 6, 9, 5, 3, 8], le=[([1, 1, 1, 0, 0, 0], 50), ([0, 0, 0, 1, 1, 1], 60)],
                            eq=[([1, 0, 0, 1, 0, 0], 30), ([0, 1, 0, 0, 1, 0], 40), ([0, 0, 1, 0, 0, 1], 35)]),
    'mip_facility_bigm': facility([100, 120, 90], [[10, 25, 30, 18], [22, 8, 14, 25], [28, 20, 9, 12]]),
    'mb_facility_bigm': facility([100, 120, 90], [[10, 25, 30, 18], [22, 8, 14, 25], [28, 20, 9, 12]]),
    'mip_tsp_dfj': tsp(DIST6),
    'cp_tsp_circuit': tsp(DIST6),
    'mip_tsp_mtz': tsp(DIST7),
    'cp_jobshop': jobshop(JOBS_A),
    'cp_jobshop_b': jobshop(JOBS_B),
    'mip_integer_cbc': integer_max([5, 4], [([6, 4], 24), ([1, 2], 6)], [(0, 10), (0, 10)]),
    'mip_lot_sizing': lot_sizing([20, 30, 10, 40], [50, 50, 50, 50], [2, 2, 3, 3], 1, 60),
    'cp_weighted_completion': weighted_completion([3, 1, 4, 2, 5], [2, 5, 1, 4, 3]),
    'mip_set_cover': set_cover([5, 4, 6, 3, 7, 2],
                               [{1, 2, 3}, {2, 4}, {3, 4, 5, 6}, {1, 5}, {6, 7, 8}, {7, 8}], set(range(1, 9))),
    'mip_graph_coloring': colors(10, PETERSEN),
    'cp_bin_packing': bins([4, 8, 1, 4, 2, 1], 10),
}

if __name__ == '__main__':
    for name, value in TABLE.items():
        print(f'{name:28} {float(value):.10g}  ({value})')
