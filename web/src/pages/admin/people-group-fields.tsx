// AUTHZ-2: the name and description fields of a group, shared by the create and rename forms.
import { TextAreaField } from '../../components/forms.tsx'
import { Field } from '../../components/ui.tsx'

interface GroupFieldsProps {
  name: string
  description: string
  onName(name: string): void
  onDescription(description: string): void
}

export function GroupFields({ name, description, onName, onDescription }: GroupFieldsProps) {
  return (
    <>
      <Field
        label="Group name"
        required
        maxLength={100}
        autoComplete="off"
        value={name}
        onChange={(event) => onName(event.target.value)}
      />
      <TextAreaField
        label="Description (optional)"
        maxLength={500}
        rows={2}
        value={description}
        onChange={(event) => onDescription(event.target.value)}
      />
    </>
  )
}
