using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OptLib.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class ChangeStamps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "change_stamps",
                columns: table => new
                {
                    area = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    stamp = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_change_stamps", x => x.area);
                });

            // The read model (src/Library/Reads) keeps these areas in memory and drops one when its stamp moves. A
            // statement-level trigger bumps the stamp in the same transaction as every statement that changes the
            // area's tables, whoever runs it, so the new stamp becomes visible with the change and not before.
            // BEFORE, so a writer takes the stamp's row lock ahead of the rows it changes. The stamp is the time in
            // microseconds and only grows, so a database created again (an in-memory server restarted empty) starts
            // above any stamp a running process holds, and none of its old reads passes for current.
            migrationBuilder.Sql("""
                CREATE FUNCTION bump_change_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO change_stamps AS s (area, stamp)
                    VALUES (TG_ARGV[0], (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
                    ON CONFLICT (area) DO UPDATE SET stamp = greatest(s.stamp + 1, excluded.stamp);
                    RETURN NULL;
                END
                $$;
                """);
            foreach (var (table, area) in Areas)
            {
                migrationBuilder.Sql($"CREATE TRIGGER bump_change_stamp BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_change_stamp('{area}');");
            }

            migrationBuilder.Sql("INSERT INTO change_stamps (area, stamp) SELECT a, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint FROM unnest(ARRAY['library', 'access']) AS a;");
        }

        /// <summary>The tables each read depends on: an insight and the list (insights, their labels, the taxonomy), the taxonomy with its counts, API keys.</summary>
        private static readonly (string Table, string Area)[] Areas =
        [
            ("insights", "library"),
            ("insight_taxonomy", "library"),
            ("taxonomy_nodes", "library"),
            ("api_keys", "access"),
        ];

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, _) in Areas)
            {
                migrationBuilder.Sql($"DROP TRIGGER bump_change_stamp ON {table};");
            }

            migrationBuilder.Sql("DROP FUNCTION bump_change_stamp();");
            migrationBuilder.DropTable(
                name: "change_stamps");
        }
    }
}
