namespace OptLib.Platform.Hosting;

/// <summary>
/// A start-up failure whose message alone tells the operator what to do. Hosts print the message as one line, with
/// no stack trace.
/// </summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
