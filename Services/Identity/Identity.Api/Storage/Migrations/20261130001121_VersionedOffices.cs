using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Relief.Identity.Storage.Migrations
{
    /// <inheritdoc />
    public partial class VersionedOffices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "changed_at",
                table: "offices",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<long>(
                name: "version",
                table: "offices",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // An existing office last changed when it was closed, or else when it was created. Version 0: not announced
            // yet; the next start announces it (OfficeChanges.AnnounceUnannouncedAsync).
            migrationBuilder.Sql("update offices set changed_at = coalesce(deactivated_at, created_at)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "changed_at",
                table: "offices");

            migrationBuilder.DropColumn(
                name: "version",
                table: "offices");
        }
    }
}
