using Mediator;

namespace OptLib.Library.Validation;

/// <summary>A request that can say what is wrong with itself, field by field, before its handler runs.</summary>
public interface IValidatable
{
    IEnumerable<(string Field, string Error)> Validate();
}

/// <summary>Bad input: becomes a 400 ValidationProblemDetails listing every field's errors.</summary>
public sealed class ValidationFailedException(IReadOnlyDictionary<string, string[]> errors)
    : Exception("The request is not valid: " + string.Join("; ", errors.SelectMany(e => e.Value.Select(v => $"{e.Key}: {v}"))))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static ValidationFailedException For(string field, string error) => new(new Dictionary<string, string[]> { [field] = [error] });
}

/// <summary>
/// Runs <see cref="IValidatable.Validate"/> for every request, and refuses text that cannot be stored in any request
/// (<see cref="StorableText"/>), so no handler sees invalid input.
/// </summary>
public sealed class ValidationBehavior<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var problems = StorableText.Check(message);
        if (message is IValidatable validatable)
        {
            problems = problems.Concat(validatable.Validate());
        }

        var errors = problems
            .GroupBy(e => e.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Error).ToArray(), StringComparer.Ordinal);
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        return next(message, cancellationToken);
    }
}
