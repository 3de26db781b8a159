-- Pending invitations name people who are not members yet: only owners and admins read them.
-- (invitations_write, FOR ALL, already lets owners and admins select; agents now see no row.)
DROP POLICY IF EXISTS invitations_select ON invitations;
