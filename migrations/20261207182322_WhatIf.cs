using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OptLib.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class WhatIf : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
                name: "parent_attempt_id",
                table: "attempts");

            migrationBuilder.DropColumn(
                name: "what_if",
                table: "attempts");
        }
    }
}
