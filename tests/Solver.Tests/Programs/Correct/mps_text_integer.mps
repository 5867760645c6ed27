NAME          SMALLIP
OBJSENSE
    MAX
ROWS
 N  PROFIT
 L  WOOD
 L  LABOUR
COLUMNS
    MARKER                 'MARKER'                 'INTORG'
    X         PROFIT         5   WOOD           6
    X         LABOUR         1
    Y         PROFIT         4   WOOD           4
    Y         LABOUR         2
    MARKER                 'MARKER'                 'INTEND'
RHS
    RHS       WOOD          24   LABOUR         6
BOUNDS
 UP BND       X             10
 UP BND       Y             10
ENDATA
