using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Access;
using OptLib.Library.Attempts;
using OptLib.Library.Audit;
using OptLib.Library.Insights;
using OptLib.Library.Jobs;
using OptLib.Library.Problems;
using OptLib.Library.Reads;
using OptLib.Library.Snapshots;
using OptLib.Library.Taxonomy;

namespace OptLib.Library.Storage;

public sealed class OptLibDbContext(DbContextOptions<OptLibDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<TaxonomyNode> TaxonomyNodes => Set<TaxonomyNode>();

    public DbSet<Insight> Insights => Set<Insight>();

    public DbSet<InsightVersion> InsightVersions => Set<InsightVersion>();

    public DbSet<LibrarySnapshot> LibrarySnapshots => Set<LibrarySnapshot>();

    public DbSet<SnapshotInsight> SnapshotInsights => Set<SnapshotInsight>();

    public DbSet<Problem> Problems => Set<Problem>();

    public DbSet<Attempt> Attempts => Set<Attempt>();

    public DbSet<Job> Jobs => Set<Job>();

    public DbSet<JobItem> JobItems => Set<JobItem>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<User> Users => Set<User>();

    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();

    /// <summary>Written only by triggers; the read model checks it (<see cref="ReadModel"/>).</summary>
    public DbSet<ChangeStamp> ChangeStamps => Set<ChangeStamp>();

    /// <summary>The key ring that signs the admin UI's cookies and anti-forgery tokens, shared by every instance.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasPostgresExtension("vector");
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(OptLibDbContext).Assembly);
    }
}
