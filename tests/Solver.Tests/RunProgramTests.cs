using OptLib.Solver.Runs;

namespace OptLib.Solver.Tests;

public sealed class RunProgramTests
{
    private static readonly SolverOptions Options = new() { MaxSourceBytes = 100, MaxTimeLimitSeconds = 60 };

    [Fact]
    public void AWellFormedRequestHasNoErrorsAndMapsToATypedRequest()
    {
        var request = new RunProgram("LP", "max: x;", 5, 1, "alphaopt");

        Assert.Empty(request.Validate(Options));
        Assert.Equal(new RunRequest(ProgramLanguage.Lp, "max: x;", 5, 1, ToleranceRule.AlphaOpt), request.ToRunRequest());
    }

    [Theory]
    [InlineData("python", "x", null, null, "language")]
    [InlineData(null, "x", null, null, "language")]
    [InlineData("csharp", " ", null, null, "source")]
    [InlineData("csharp", "x", 0.0, null, "timeLimitSeconds")]
    [InlineData("csharp", "x", 61.0, null, "timeLimitSeconds")]
    [InlineData("csharp", "x", null, "fuzzy", "tolerance")]
    public void EachBadFieldIsNamed(string? language, string source, double? timeLimit, string? tolerance, string field)
    {
        var errors = new RunProgram(language, source, timeLimit, null, tolerance).Validate(Options);

        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public void ANonFiniteExpectedObjectiveIsRejected() =>
        Assert.Contains("expectedObjective", new RunProgram("csharp", "x", null, double.NaN).Validate(Options).Keys);

    [Fact]
    public void SizeIsMeasuredInUtf8Bytes()
    {
        Assert.False(new RunProgram("csharp", new string('a', 100)).IsOversized(Options));
        Assert.True(new RunProgram("csharp", new string('é', 51)).IsOversized(Options));
    }
}
