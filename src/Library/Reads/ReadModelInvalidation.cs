using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OptLib.Library.Reads;

/// <summary>
/// Tells the <see cref="ReadModel"/> about every write made through this process's contexts: a save, a statement that
/// returns no rows (ExecuteUpdate, ExecuteDelete, raw SQL), a commit. It only marks the read model; the next read then
/// checks the change stamps, which the database keeps. Writes of other processes are found by that check within
/// ReadModel:CheckMilliseconds.
/// </summary>
public sealed class ReadModelInvalidation(ReadModel reads) : ISaveChangesInterceptor, IDbCommandInterceptor, IDbTransactionInterceptor
{
    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        reads.Changed();
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        reads.Changed();
        return ValueTask.FromResult(result);
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        reads.Changed();
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        reads.Changed();
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => reads.Changed();

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        reads.Changed();
        return Task.CompletedTask;
    }
}
