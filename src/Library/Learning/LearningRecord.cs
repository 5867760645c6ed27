using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OptLib.Library.Learning;

/// <summary>
/// That a unit of learning or evolution work finished, and what it did: an attempt learned from, or a problem
/// diagnosed in one evolution run. Its unique key makes a retried work item a no-op that returns the first outcome.
/// </summary>
public sealed class LearningRecord
{
    public const string AttemptKind = "attempt";
    public const string DiagnosisKind = "diagnosis";

    /// <summary>What one insight text did on one problem when verified (see SolveVerification): never asked twice.</summary>
    public const string VerdictKind = "verdict";

    public long Id { get; set; }

    public required string Kind { get; set; }

    public required string Key { get; set; }

    public long? JobId { get; set; }

    public required JsonDocument Outcome { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class LearningRecordConfiguration : IEntityTypeConfiguration<LearningRecord>
{
    public void Configure(EntityTypeBuilder<LearningRecord> builder)
    {
        builder.ToTable("learning_records");
        builder.Property(r => r.Kind).HasMaxLength(32);
        builder.Property(r => r.Key).HasMaxLength(300);
        builder.HasIndex(r => new { r.Kind, r.Key }).IsUnique();
        builder.HasIndex(r => r.JobId);
    }
}
