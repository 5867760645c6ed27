using System.Text.Json;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OptLib.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class ClarificationsAndWhatIf : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "status",
                table: "problems",
                type: "character varying(24)",
                maxLength: 24,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(16)",
                oldMaxLength: 16);

            migrationBuilder.AddColumn<JsonDocument>(
                name: "clarifications",
                table: "problems",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<JsonDocument>(
                name: "clarification",
                table: "attempts",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "parent_attempt_id",
                table: "attempts",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "what_if",
                table: "attempts",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_attempts_parent_attempt_id",
                table: "attempts",
                column: "parent_attempt_id");

            migrationBuilder.AddForeignKey(
                name: "fk_attempts_attempts_parent_attempt_id",
                table: "attempts",
                column: "parent_attempt_id",
                principalTable: "attempts",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_attempts_attempts_parent_attempt_id",
                table: "attempts");

            migrationBuilder.DropIndex(
                name: "ix_attempts_parent_attempt_id",
                table: "attempts");

            migrationBuilder.DropColumn(
                name: "clarifications",
                table: "problems");

            migrationBuilder.DropColumn(
                name: "clarification",
                table: "attempts");

            migrationBuilder.DropColumn(
                name: "parent_attempt_id",
                table: "attempts");

            migrationBuilder.DropColumn(
                name: "what_if",
                table: "attempts");

            migrationBuilder.AlterColumn<string>(
                name: "status",
                table: "problems",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(24)",
                oldMaxLength: 24);
        }
    }
}
