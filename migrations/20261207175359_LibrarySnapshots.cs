using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using Pgvector;

#nullable disable

namespace OptLib.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class LibrarySnapshots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Vector>(
                name: "embedding",
                table: "insight_versions",
                type: "vector(384)",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "embedding_model",
                table: "insight_versions",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            // A version row keeps the vector of its text from now on (ADR 0019). The current version of each insight has
            // the insight's own vector; older rows stay empty and a snapshot that names one embeds its text again.
            migrationBuilder.Sql("""
                UPDATE insight_versions v SET embedding = i.embedding, embedding_model = i.embedding_model
                FROM insights i WHERE v.insight_id = i.id AND v.version = i.version AND i.embedding IS NOT NULL
                """);

            migrationBuilder.AddUniqueConstraint(
                name: "ak_insight_versions_insight_id_version",
                table: "insight_versions",
                columns: new[] { "insight_id", "version" });

            migrationBuilder.CreateTable(
                name: "library_snapshots",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    job_id = table.Column<long>(type: "bigint", nullable: true),
                    insight_count = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_library_snapshots", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "snapshot_insights",
                columns: table => new
                {
                    snapshot_id = table.Column<long>(type: "bigint", nullable: false),
                    insight_id = table.Column<long>(type: "bigint", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_snapshot_insights", x => new { x.snapshot_id, x.insight_id });
                    table.ForeignKey(
                        name: "fk_snapshot_insights_insight_versions_insight_id_version",
                        columns: x => new { x.insight_id, x.version },
                        principalTable: "insight_versions",
                        principalColumns: new[] { "insight_id", "version" },
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_snapshot_insights_library_snapshots_snapshot_id",
                        column: x => x.snapshot_id,
                        principalTable: "library_snapshots",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_library_snapshots_created_at",
                table: "library_snapshots",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_library_snapshots_job_id",
                table: "library_snapshots",
                column: "job_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_snapshot_insights_insight_id_version",
                table: "snapshot_insights",
                columns: new[] { "insight_id", "version" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "snapshot_insights");

            migrationBuilder.DropTable(
                name: "library_snapshots");

            migrationBuilder.DropUniqueConstraint(
                name: "ak_insight_versions_insight_id_version",
                table: "insight_versions");

            migrationBuilder.DropColumn(
                name: "embedding",
                table: "insight_versions");

            migrationBuilder.DropColumn(
                name: "embedding_model",
                table: "insight_versions");
        }
    }
}
