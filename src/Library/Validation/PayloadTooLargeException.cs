namespace OptLib.Library.Validation;

/// <summary>A request within HTTP's limits whose content is still larger than a setting allows: a 413 naming the setting.</summary>
public sealed class PayloadTooLargeException(string detail) : Exception(detail);
