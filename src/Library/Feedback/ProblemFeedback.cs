using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OptLib.Library.Attempts;
using OptLib.Library.Problems;
using OptLib.Library.Storage;

namespace OptLib.Library.Feedback;

public enum FeedbackVerdict
{
    Correct,
    Incorrect,
}

/// <summary>
/// What an application or analyst said of a problem's answer after the fact. The newest is the problem's feedback;
/// the older rows are its history, never rewritten.
/// </summary>
public sealed class ProblemFeedback
{
    public long Id { get; set; }

    public long ProblemId { get; set; }

    /// <summary>The attempt that was judged: the problem's latest when the feedback came.</summary>
    public long AttemptId { get; set; }

    public FeedbackVerdict Verdict { get; set; }

    /// <summary>The right objective, as the feedback gave it or as it was taken from the attempt judged correct.</summary>
    public double? ExpectedObjective { get; set; }

    public string? Note { get; set; }

    public required string By { get; set; }

    public DateTimeOffset At { get; set; }
}

internal sealed class ProblemFeedbackConfiguration : IEntityTypeConfiguration<ProblemFeedback>
{
    public void Configure(EntityTypeBuilder<ProblemFeedback> builder)
    {
        builder.ToTable("problem_feedback");
        builder.Property(f => f.Verdict).HasConversion(LowercaseEnum.Converter<FeedbackVerdict>()).HasMaxLength(16);
        builder.Property(f => f.Note).HasMaxLength(GiveFeedback.MaxNote);
        builder.Property(f => f.By).HasMaxLength(200);
        builder.HasOne<Problem>().WithMany().HasForeignKey(f => f.ProblemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Attempt>().WithMany().HasForeignKey(f => f.AttemptId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(f => new { f.ProblemId, f.Id });
    }
}
