namespace OptLib.Library.Comparison;

/// <summary>
/// The exact McNemar test: under "no difference", each discordant pair is as likely to favour either side, so the
/// smaller count is binomial(b + c, 1/2). Two-sided: twice the lower tail, capped at 1.
/// </summary>
public static class McNemar
{
    public static double ExactTwoSided(int onlyBaseline, int onlyCandidate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(onlyBaseline);
        ArgumentOutOfRangeException.ThrowIfNegative(onlyCandidate);
        var n = onlyBaseline + onlyCandidate;
        var k = Math.Min(onlyBaseline, onlyCandidate);
        if (n == 0)
        {
            return 1;
        }

        // In logs, so thousands of pairs neither overflow the binomial coefficient nor underflow 0.5^n.
        var logTerm = n * Math.Log(0.5); // P(X = 0)
        var tail = 0.0;
        for (var i = 0; i <= k; i++)
        {
            tail += Math.Exp(logTerm);
            logTerm += Math.Log(n - i) - Math.Log(i + 1);
        }

        return Math.Min(1, 2 * tail);
    }
}
