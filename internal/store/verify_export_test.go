package store

// ExactRecordRows makes verify read every record table column by column (the exact path),
// for tests that compare both ways.
var ExactRecordRows = &exactRecordRows
