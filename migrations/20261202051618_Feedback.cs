using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OptLib.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Feedback : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "learning_note",
                table: "attempts",
                type: "character varying(400)",
                maxLength: 400,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "problem_feedback",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    problem_id = table.Column<long>(type: "bigint", nullable: false),
                    attempt_id = table.Column<long>(type: "bigint", nullable: false),
                    verdict = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    expected_objective = table.Column<double>(type: "double precision", nullable: true),
                    note = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_problem_feedback", x => x.id);
                    table.ForeignKey(
                        name: "fk_problem_feedback_attempts_attempt_id",
                        column: x => x.attempt_id,
                        principalTable: "attempts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_problem_feedback_problems_problem_id",
                        column: x => x.problem_id,
                        principalTable: "problems",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_problem_feedback_attempt_id",
                table: "problem_feedback",
                column: "attempt_id");

            migrationBuilder.CreateIndex(
                name: "ix_problem_feedback_problem_id_id",
                table: "problem_feedback",
                columns: new[] { "problem_id", "id" });

            // Held-out problems are never learned from: failures of other splits queued before this rule leave the queue.
            migrationBuilder.Sql("""
                UPDATE attempts a SET queued_for_learning = false,
                    learning_note = 'held out: dataset ''' || p.dataset || ''', split ''' || coalesce(p.split, '(none)') || ''' is never learned from; only the train split is'
                FROM problems p
                WHERE p.id = a.problem_id AND a.queued_for_learning AND p.dataset IS NOT NULL AND lower(coalesce(p.split, '')) <> 'train'
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "problem_feedback");

            migrationBuilder.DropColumn(
                name: "learning_note",
                table: "attempts");
        }
    }
}
