using EFCore.NamingConventions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using OptLib.Library;
using OptLib.Library.Storage;

namespace OptLib.Migrations;

/// <summary>
/// Lets `dotnet ef migrations add` build the model without a running service. Adding a migration needs no database;
/// the connection string only matters for `dotnet ef database update`, which OptLib does itself at start-up.
/// </summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<OptLibDbContext>
{
    public OptLibDbContext CreateDbContext(string[] args)
    {
        var connection = Environment.GetEnvironmentVariable("ConnectionStrings__OptLib") ?? "Host=127.0.0.1;Database=optlib;Username=postgres";
        var options = new DbContextOptionsBuilder<OptLibDbContext>()
            .UseNpgsql(connection, npgsql => npgsql.MigrationsAssembly(LibraryRegistration.MigrationsAssembly).UseVector())
            .UseSnakeCaseNamingConvention()
            .Options;
        return new OptLibDbContext(options);
    }
}
