using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OptLib.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class SolveJobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Solves queued by the old engine were Hangfire jobs of a type that no longer exists, so nothing would run
            // them: they end cancelled (resubmit them) rather than wait for ever.
            migrationBuilder.Sql("UPDATE problems SET status = 'cancelled', updated_at = now() WHERE status IN ('queued', 'running', 'cancelling')");
            migrationBuilder.DropColumn(
                name: "solve_job_id",
                table: "problems");

            migrationBuilder.AddColumn<long>(
                name: "job_id",
                table: "problems",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_problems_job_id",
                table: "problems",
                column: "job_id");

            migrationBuilder.AddForeignKey(
                name: "fk_problems_jobs_job_id",
                table: "problems",
                column: "job_id",
                principalTable: "jobs",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_problems_jobs_job_id",
                table: "problems");

            migrationBuilder.DropIndex(
                name: "ix_problems_job_id",
                table: "problems");

            migrationBuilder.DropColumn(
                name: "job_id",
                table: "problems");

            migrationBuilder.AddColumn<string>(
                name: "solve_job_id",
                table: "problems",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);
        }
    }
}
