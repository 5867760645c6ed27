namespace OptLib.Library.Models;

/// <summary>Model:Provider is "none": every model-backed feature says which settings to set (503), nothing crashes.</summary>
public sealed class UnconfiguredChatModel : IChatModel
{
    public bool IsConfigured => false;

    public Task<ModelReply> CompleteAsync(ModelCall call, CancellationToken cancellationToken) =>
        Task.FromException<ModelReply>(new ModelNotConfiguredException());
}
