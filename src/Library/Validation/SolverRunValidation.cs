using Mediator;
using Microsoft.Extensions.Options;
using OptLib.Solver;
using OptLib.Solver.Runs;

namespace OptLib.Library.Validation;

/// <summary>
/// The checks of a sandbox run, in the validation style of every other request: they need the solver's settings,
/// and the solver project knows nothing of our validation, so they run here, around its handler. LP or MPS text the
/// solver could not read is bad input too, found only by reading it.
/// </summary>
public sealed class SolverRunValidation(IOptions<SolverOptions> options) : IPipelineBehavior<RunProgram, RunResult>
{
    public async ValueTask<RunResult> Handle(RunProgram message, MessageHandlerDelegate<RunProgram, RunResult> next, CancellationToken cancellationToken)
    {
        if (message.IsOversized(options.Value))
        {
            throw new PayloadTooLargeException($"The source is larger than {options.Value.MaxSourceBytes} bytes (Solver:MaxSourceBytes).");
        }

        if (message.Validate(options.Value) is { Count: > 0 } errors)
        {
            throw new ValidationFailedException(errors);
        }

        var result = await next(message, cancellationToken);
        return message.UnreadableText(result) is { } unreadable ? throw new ValidationFailedException(unreadable) : result;
    }
}
